using System.Globalization;
using System.Text.Json.Nodes;
using Parquet;
using Parquet.Schema;

namespace Recipes.Stages.Datasets;

/// <summary>A sample parameter as a dataset column: int64 when every sample's value is a whole JSON integer, else float64.</summary>
internal sealed record ParameterColumn(string Name, bool IsInteger)
{
    /// <summary>The <c>datasets</c> dtype of the column, as the card and the Parquet metadata name it.</summary>
    public string Dtype => IsInteger ? "int64" : "float64";
}

/// <summary>One image of a split: its path inside the dataset (<c>train/000001.png</c>), the file, its parameter values (numbers).</summary>
internal sealed record ParquetRow(string RelativePath, string File, IReadOnlyList<JsonValue> Values);

/// <summary>
/// Writes a split as Parquet shards in the layout the Hugging Face Hub and <c>datasets</c> read without a loading script:
/// <c>data/&lt;split&gt;-00000-of-0000N.parquet</c>. The <c>image</c> column is the <c>Image</c> feature's Arrow storage,
/// a struct of <c>bytes</c> (the PNG file as it is) and <c>path</c>; one column per parameter follows. The footer's
/// <c>huggingface</c> key carries the features as <c>datasets</c> writes them, so that <c>load_dataset("parquet", …)</c>
/// decodes <c>image</c> as an image rather than a struct. Nothing time-dependent goes into a file: Parquet.Net's
/// <c>created_by</c> names its version only, so equal inputs give byte-identical shards.
/// </summary>
internal static class HubParquet
{
    /// <summary>PNG bytes per shard at most: <c>push_to_hub</c>'s default <c>max_shard_size</c> of 500 MB.</summary>
    public const long MaxShardBytes = 500_000_000;

    /// <summary>Rows per row group: what <c>datasets</c> uses for image datasets, so that the Hub's viewer reads a few rows cheaply.</summary>
    public const int RowGroupRows = 100;

    public const string MetadataKey = "huggingface";

    /// <summary>
    /// The shards of a split, as paths relative to the dataset, with the rows of each: consecutive runs of rows whose
    /// PNG bytes stay within <see cref="MaxShardBytes"/> (a single larger image gets a shard of its own). An empty split
    /// still gets one shard without rows, so that its <c>data_files</c> pattern in the card matches a file.
    /// </summary>
    public static List<(string Path, List<ParquetRow> Rows)> Shards(string split, IReadOnlyList<ParquetRow> rows, long maxShardBytes = MaxShardBytes)
    {
        var groups = new List<List<ParquetRow>> { new() };
        long bytes = 0;
        foreach (var row in rows)
        {
            var size = new FileInfo(row.File).Length;
            if (groups[^1].Count > 0 && bytes + size > maxShardBytes)
            {
                groups.Add([]);
                bytes = 0;
            }
            groups[^1].Add(row);
            bytes += size;
        }
        return groups.Select((g, i) => ($"data/{split}-{Index(i)}-of-{Index(groups.Count)}.parquet", g)).ToList();
    }

    private static string Index(int i) => i.ToString("D5", CultureInfo.InvariantCulture);

    /// <remarks>
    /// Every field is optional, as pyarrow writes them: <c>datasets</c> takes a feature from the footer only where its
    /// Arrow field, nullability included, equals the file's.
    /// </remarks>
    public static ParquetSchema Schema(IReadOnlyList<ParameterColumn> columns) =>
        new([
            new StructField("image", new DataField<byte[]>("bytes", nullable: true), new DataField<string>("path", nullable: true)),
            .. columns.Select(c => c.IsInteger ? (Field)new DataField<long>(c.Name, nullable: true) : new DataField<double>(c.Name, nullable: true)),
        ]);

    /// <summary>The features as <c>datasets</c> records them in a Parquet footer (<c>{"info": {"features": …}}</c>).</summary>
    public static string FeaturesMetadata(IReadOnlyList<ParameterColumn> columns)
    {
        var features = new JsonObject { ["image"] = new JsonObject { ["_type"] = "Image" } };
        foreach (var column in columns) features[column.Name] = new JsonObject { ["dtype"] = column.Dtype, ["_type"] = "Value" };
        return new JsonObject { ["info"] = new JsonObject { ["features"] = features } }.ToJsonString();
    }

    public static async Task WriteAsync(string path, ParquetSchema schema, string featuresMetadata, IReadOnlyList<ParquetRow> rows, CancellationToken cancellationToken)
    {
        var fields = schema.GetDataFields();
        await using var stream = File.Create(path);
        await using (var writer = await ParquetWriter.CreateAsync(schema, stream, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }, cancellationToken: cancellationToken))
        {
            writer.CustomMetadata = new Dictionary<string, string> { [MetadataKey] = featuresMetadata };
            for (var start = 0; start < rows.Count; start += RowGroupRows)
            {
                var group = rows.Skip(start).Take(RowGroupRows).ToList();
                using var rowGroup = writer.CreateRowGroup();
                await rowGroup.WriteAsync(fields[0], group.Select(r => (byte[]?)File.ReadAllBytes(r.File)).ToList());
                await rowGroup.WriteAsync(fields[1], group.Select(r => (string?)r.RelativePath).ToList());
                for (var p = 2; p < fields.Length; p++)
                {
                    var index = p - 2;
                    if (fields[p].ClrType == typeof(long))
                        await rowGroup.WriteAsync<long>(fields[p], group.Select(r => (long?)r.Values[index].GetValue<long>()).ToArray(), cancellationToken: cancellationToken);
                    else
                        await rowGroup.WriteAsync<double>(fields[p], group.Select(r => (double?)r.Values[index].GetValue<double>()).ToArray(), cancellationToken: cancellationToken);
                }
                rowGroup.CompleteValidate();
            }
        }
    }
}
