using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Recipes.Execution;
using Recipes.Plugins.Formats;
using Recipes.Tests.Support;

namespace Recipes.Tests.Engine;

/// <summary>Nothing non-finite reaches the cache: the engine scans metrics and float arrays before storing a node.</summary>
public sealed class NonFiniteOutputTests
{
    private static readonly Dictionary<string, JsonNode?> NoMetrics = [];

    private static string Scan(Action<string> write, IEnumerable<KeyValuePair<string, JsonNode?>>? metrics = null)
    {
        using var ws = new Workspace();
        var dir = Directory.CreateDirectory(ws.Path_("out-dir")).FullName;
        write(dir);
        return NonFiniteScan.FirstProblem(dir, metrics ?? NoMetrics) ?? "finite";
    }

    [Fact]
    public void FiniteArraysAndMetricsPass()
    {
        var problem = Scan(dir =>
        {
            NpyFile.Write(Path.Combine(dir, "a.npy"), new NpyArray([3], [1, 2, float.MaxValue]));
            SafeTensorsFile.Write(Path.Combine(dir, "w.safetensors"), new Dictionary<string, SafeTensorsFile.Tensor> { ["w"] = SafeTensorsFile.Tensor.Of(new NpyArray([2], [0, -1])) });
            File.WriteAllText(Path.Combine(dir, "notes.txt"), "NaN is only text here");
        }, new Dictionary<string, JsonNode?> { ["loss"] = 0.5, ["curve"] = new JsonArray(1.0, 2.0) });
        Assert.Equal("finite", problem);
    }

    [Fact]
    public void ANaNInAnNpyFileIsFoundWithItsIndex()
    {
        var data = new float[300_000];
        data[262_145] = float.NaN; // past the first read chunk, so chunk boundaries are covered
        var problem = Scan(dir => NpyFile.Write(Path.Combine(Directory.CreateDirectory(Path.Combine(dir, "sub")).FullName, "field.npy"), new NpyArray([data.Length], data)));
        Assert.Equal("output 'sub/field.npy' holds a non-finite value at element 262145", problem);
    }

    [Fact]
    public void AnInfinityInASafeTensorsTensorIsFoundByName()
    {
        var problem = Scan(dir => SafeTensorsFile.Write(Path.Combine(dir, "model.safetensors"), new Dictionary<string, SafeTensorsFile.Tensor>
        {
            ["a.weight"] = SafeTensorsFile.Tensor.Of(new NpyArray([2], [1, 2])),
            ["b.bias"] = SafeTensorsFile.Tensor.Of(new NpyArray([3], [0, float.NegativeInfinity, 0])),
        }));
        Assert.Equal("output 'model.safetensors' tensor 'b.bias' holds a non-finite value at element 1", problem);
    }

    [Fact]
    public void ANaNInsideAnNpzArchiveAndABFloat16NaNAreFound()
    {
        var npz = Scan(dir => NpzFile.Write(Path.Combine(dir, "train.npz"), new Dictionary<string, NpyArray>
        {
            ["ok"] = new([1], [1]),
            ["positions"] = new([2], [1, float.NaN]),
        }));
        Assert.Equal("output 'train.npz' array 'positions' holds a non-finite value at element 1", npz);

        var bf16 = Scan(dir =>
        {
            const string header = "{\"x\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}";
            using var file = File.Create(Path.Combine(dir, "half.safetensors"));
            file.Write(BitConverter.GetBytes((ulong)header.Length));
            file.Write(Encoding.ASCII.GetBytes(header));
            file.Write([0x80, 0x3F, 0xC0, 0x7F]); // 1.0, then NaN
        });
        Assert.Equal("output 'half.safetensors' tensor 'x' holds a non-finite value at element 1", bf16);
    }

    [Fact]
    public void ANonFiniteMetricIsNamedWithItsPath()
    {
        var problem = Scan(_ => { }, new Dictionary<string, JsonNode?> { ["ok"] = 1.0, ["per_split"] = new JsonObject { ["test"] = new JsonArray(1.0, double.PositiveInfinity) } });
        Assert.Equal("metric 'per_split.test[1]' is not a finite number", problem);
    }

    /// <summary>A simulator that writes a NaN field fails its node in the engine, and nothing of it is cached or materialized.</summary>
    [Fact]
    public void ANodeThatWritesANaNFieldFailsAndIsNotCached()
    {
        using var ws = new Workspace();
        var npy = NpyFile.ToBytes(new NpyArray([2], [1, float.NaN]));
        var printf = string.Concat(npy.Select(b => $"\\{Convert.ToString(b, 8).PadLeft(3, '0')}"));
        ws.Write("base/input.txt.sbn", "a={{ a }}\n");
        ws.Write("recipe.yaml", $"""
            recipe: nan-field
            base_case:
              dir: base/
            parameters:
              sampler: grid
              space:
                a: {"{ choice: [1] }"}
            stages:
              simulate:
                solver: exec
                command: 'printf "{printf}" > field.npy'
                outputs: [field.npy]
            """);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var result = ws.Build();
            Assert.Equal(1, result.Summary.Failed);
            var node = result.Graph.Nodes.Single(n => result.States.Status[n.Index] == NodeStatus.Failed);
            Assert.StartsWith("output 'field.npy' holds a non-finite value at element 1; nothing was cached", result.States.Messages[node.Index]);
        }
        Assert.Empty(Directory.EnumerateFiles(ws.OutDir, "field.npy", SearchOption.AllDirectories));
    }
}
