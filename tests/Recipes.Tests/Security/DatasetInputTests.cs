using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Recipes.Plotting.Imaging;
using Recipes.Tests.Support;

namespace Recipes.Tests.Security;

/// <summary>
/// docs/security.md, "One reading discipline" for dataset inputs and "Non-finite numbers": a sample's file that its
/// reader refuses (a truncated PNG, one declaring 30000x30000 pixels, an empty .npy, a result of 1e999) fails the
/// dataset node with one line naming the sample and the file, never a blob hash or a stack trace, and nothing
/// non-finite or half-decoded reaches out/.
/// </summary>
public sealed class DatasetInputTests
{
    private static Support.Cli.Result Build(Workspace ws) => Support.Cli.Run(ws.Root, null, TimeSpan.FromMinutes(2), "build", "recipe.yaml");

    /// <summary>Two samples whose exec step copies the base case's <paramref name="file"/> to each of <paramref name="outputs"/>.</summary>
    private static void Recipe(Workspace ws, string dataset, string command, string outputs)
    {
        ws.Write("recipe.yaml", $$"""
            recipe: inputs
            seed: 1
            base_case:
              dir: base/
            parameters:
              space:
                a: { choice: [1, 2] }
            stages:
              simulate:
                solver: exec
                command: '{{command}}'
                outputs: [{{outputs}}]
              dataset: {{dataset}}
            """);
        ws.Write("base/a.txt.sbn", "{{ a }}\n");
    }

    private static void FailsNaming(Support.Cli.Result result, string expected)
    {
        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}: {result.Stderr}");
        Assert.DoesNotContain("Unhandled exception", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("/cas/", result.Stderr, StringComparison.Ordinal);
    }

    private static byte[] Png(int size)
    {
        var image = new GrayImage(size, size);
        for (var i = 0; i < image.Pixels.Length; i++) image.Pixels[i] = (i % 7) / 7f;
        return image.EncodePng();
    }

    /// <summary>A PNG of a few bytes whose header declares <paramref name="width"/>x<paramref name="height"/> pixels.</summary>
    public static byte[] Declaring(int width, int height)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth; colour type 0 (gray), default compression, filter, no interlace
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", [0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]);
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var body = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(body);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(body));
        png.Write(crc);
    }

    [Fact]
    public void ATruncatedPngIsRefusedNotPackedAsABlackImage()
    {
        using var ws = new Workspace();
        var whole = Png(16);
        File.WriteAllBytes(ws.Write("base/picture.png", ""), whole[..(whole.Length * 2 / 3)]);
        Recipe(ws, "{ format: image-folder, split: { train: 0.5, test: 0.5 } }", "cp picture.png image.png", "image.png");
        FailsNaming(Build(ws), "simulate/000000: image.png: is truncated: its pixel data ends before the image does");
        Assert.False(Directory.Exists(Path.Combine(ws.OutDir, "inputs", "dataset")), "nothing half-decoded reached out/");
    }

    [Fact]
    public void APngDeclaringHugeDimensionsIsRefusedBeforeDecoding()
    {
        using var ws = new Workspace();
        var tiny = Declaring(30000, 30000);
        Assert.True(tiny.Length < 120);
        File.WriteAllBytes(ws.Write("base/picture.png", ""), tiny);
        Recipe(ws, "{ format: image-folder, split: { train: 0.5, test: 0.5 } }", "cp picture.png image.png", "image.png");
        FailsNaming(Build(ws), "simulate/000000: image.png: declares 30000x30000 pixels; at most 16777216 pixels (4096x4096) are decoded");
    }

    [Fact]
    public void TheImageReaderRefusesWhatItCannotReadInFull()
    {
        using var temp = new Workspace();
        var huge = temp.Write("huge.png", "");
        File.WriteAllBytes(huge, Declaring(30000, 30000));
        Assert.Contains("declares 30000x30000 pixels", Assert.Throws<InvalidDataException>(() => GrayImage.Load(huge)).Message, StringComparison.Ordinal);
        var empty = temp.Write("empty.png", "");
        Assert.Contains("is empty or not a regular file", Assert.Throws<Recipes.Plugins.Files.RefusedFileException>(() => GrayImage.Load(empty)).Message, StringComparison.Ordinal);
        var whole = temp.Write("whole.png", "");
        File.WriteAllBytes(whole, Png(16));
        Assert.Equal(256, GrayImage.Load(whole).Pixels.Length);
    }

    [Fact]
    public void AnEmptyNpyFailsTheDatasetNamingTheSampleAndFile()
    {
        using var ws = new Workspace();
        ws.Write("base/empty.npy", "");
        Recipes.Plugins.Formats.NpyFile.Write(ws.Path_("base/steady.npy"), new Recipes.Plugins.Formats.NpyArray([4, 4], new float[16]));
        Recipe(ws, "{ format: npy, split: { train: 0.5, test: 0.5 } }", "cp empty.npy input.npy", "input.npy, steady.npy");
        FailsNaming(Build(ws), "simulate/000000: input.npy: is empty or not a regular file");
    }

    [Theory]
    [InlineData("[1000000000, 1000000000]", "declares more than")]
    [InlineData("[4, 4]", "truncated: its shape (4, 4) needs 64 bytes of data, the file holds 8")]
    [InlineData("[4, x]", "its shape holds 'x', not a whole non-negative number")]
    public void NpyHeadersAreCheckedBeforeAnythingIsAllocated(string shape, string expected)
    {
        using var temp = new Workspace();
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({shape.Trim('[', ']')}), }}";
        var path = temp.Path_("a.npy");
        using (var file = File.Create(path))
        {
            file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
            var bytes = Encoding.ASCII.GetBytes(header + "\n");
            file.Write(BitConverter.GetBytes((ushort)bytes.Length));
            file.Write(bytes);
            file.Write(new byte[8]);
        }
        Assert.Contains(expected, Assert.Throws<InvalidDataException>(() => Recipes.Plugins.Formats.NpyFile.Read(path)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1e999")]
    [InlineData("\"NaN\"")]
    [InlineData("\"-Infinity\"")]
    public void AResultThatIsNotFiniteNeverReachesTheCsv(string value)
    {
        using var ws = new Workspace();
        Recipe(ws, "{ format: csv }", $"echo \"{{\\\"value\\\": {value.Replace("\"", "\\\"", StringComparison.Ordinal)}}}\" > result.json", "result.json");
        var result = Build(ws);
        FailsNaming(result, "result.json: value is ");
        Assert.Contains("not a finite number; nothing non-finite is written to the dataset", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(ws.OutDir, "inputs", "dataset", "table.csv")));
    }

    [Fact]
    public void AnOutputNameWithAControlCharacterFailsItsNodeAndIsNeverCached()
    {
        using var ws = new Workspace();
        Recipe(ws, "{ format: csv }", "echo \"{\\\"value\\\": 1}\" > result.json && touch \"$(printf \"bad\\\\001name.txt\")\"", "result.json, \"*.txt\"");
        for (var build = 0; build < 2; build++)
        {
            var result = Build(ws);
            FailsNaming(result, "refused an output path with a backslash or control character 'bad?name.txt'; rename the output");
        }
    }
}
