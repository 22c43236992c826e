using System.Text.Json.Nodes;
using CsCheck;
using Recipes.Configuration;
using Recipes.Plugins;
using Recipes.Plugins.Files;
using Recipes.Reading;

namespace Recipes.Tests.Fuzz;

/// <summary>
/// docs/security.md, "One reading discipline": the bounded JSON reader and the project file <c>.recipes.json</c>.
/// Any bytes (a valid project file mutated byte by byte, or with fields swapped for other types, huge or non-finite
/// numbers, escapes) either read or are refused with one <see cref="RefusedFileException"/> line naming the file;
/// the remote cache and Slurm sections built from them either resolve or fail with the one-line errors the CLI
/// turns into exit 2.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class ProjectFileFuzzTests
{
    private static readonly JsonObject Valid = JsonNode.Parse("""
        {
          "remote_cache": { "url": "http://127.0.0.1:9/cache", "token": "t", "user": "u", "password": "p", "upload": false },
          "slurm": { "partition": "gpu", "account": "a", "time": "00:10:00", "cpus": 4, "mem": "8G", "gpus": 1, "extra": ["--exclusive"],
                     "throttle": 2, "pack_seconds": 30, "default_seconds": 5, "retries": 1, "poll_seconds": 0.5 }
        }
        """)!.AsObject();

    /// <summary>A project file: the valid one with structural edits, then byte edits (either list may be empty).</summary>
    public static readonly Gen<byte[]> Files = Gen.Select(JsonMutation.Gen.Array[0, 4], ByteMutation.Many(4),
        (json, bytes) => ByteMutation.ApplyAll(Nasty.Utf8(JsonMutation.ApplyAll(Valid, json)), bytes));

    [Fact]
    public void AnyProjectFileIsReadOrRefusedInOneLine()
    {
        using var dir = new FuzzDirectory();
        FuzzBudget.Run("project-file", Files, bytes =>
        {
            var project = dir.NewCase();
            File.WriteAllBytes(Path.Combine(project, ".recipes.json"), bytes);
            var root = ProjectRoot.Find(null, project);
            Assert.Equal(project, root.Directory);
            try
            {
                var remote = global::Recipes.Remote.RemoteCacheSettings.Resolve(null, null, root);
                Assert.True(remote is null || remote.Url.Scheme is "http" or "https");
            }
            catch (RefusedFileException e) { Refusal(e, project); }
            catch (FormatException e) { Contract.OneCleanLine("error: " + e.Message, "remote cache url"); }
            try
            {
                var slurm = UserConfig.Section("slurm", root);
                var settings = global::Recipes.Cluster.SlurmSettings.From(slurm is null ? null : new ValueMap(slurm), null);
                Assert.True(double.IsFinite(settings.PackSeconds) && double.IsFinite(settings.DefaultSeconds) && double.IsFinite(settings.PollSeconds),
                    "a non-finite Slurm setting was accepted");
            }
            catch (RefusedFileException e) { Refusal(e, project); }
            catch (Exception e) when (e is FormatException or InvalidOperationException or PluginException or OverflowException)
            {
                // BuildCommand prints these cleaned, as "error: slurm settings: ...".
                Contract.OneLine(e.Message, "slurm settings");
            }
            FuzzDirectory.DeleteQuietly(project);
        }, ciCases: 4000, FuzzSeed.For("project-file"), print: Show);
        dir.AssertOutsideUntouched();
    }

    /// <summary>The bounded reader alone, on any bytes: a JSON object, or a refusal, and typed fields that never throw anything else.</summary>
    [Fact]
    public void AnyBytesAreOneJsonObjectOrARefusal() => FuzzBudget.Run("bounded-json", Files, bytes =>
    {
        JsonObject o;
        try
        {
            o = BoundedJson.ParseObject(bytes, "f.json");
        }
        catch (RefusedFileException e)
        {
            Assert.StartsWith("f.json: ", e.Message, StringComparison.Ordinal);
            Contract.OneLine(e.Message, "bounded json");
            return;
        }
        foreach (var (name, _) in o.ToList())
        {
            Typed(() => JsonFields.Text(o, name, "f.json"));
            Typed(() => JsonFields.Bool(o, name, "f.json"));
            Typed(() => JsonFields.Number(o, name, "f.json") is { } d && !double.IsFinite(d) ? throw new InvalidOperationException("not finite") : null);
            Typed(() => JsonFields.Integer(o, name, "f.json", 0, 1 << 20));
            Typed(() => JsonFields.Object(o, name, "f.json"));
            Typed(() => JsonFields.Array(o, name, "f.json"));
        }
    }, ciCases: 6000, FuzzSeed.For("bounded-json"), print: Show);

    private static void Typed(Func<object?> read)
    {
        try { read(); }
        catch (RefusedFileException e) { Contract.OneLine(e.Message, "json field"); }
    }

    private static void Refusal(RefusedFileException e, string project)
    {
        Assert.StartsWith(Path.Combine(project, ".recipes.json") + ": ", e.Message, StringComparison.Ordinal);
        Contract.OneLine(e.Message, "project file");
    }

    public static string Show(byte[] bytes) => Escaping.TerminalText.Clean(System.Text.Encoding.UTF8.GetString(bytes.Length > 600 ? bytes[..600] : bytes));
}
