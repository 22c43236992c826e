using System.IO.Compression;
using System.Text.Json.Nodes;
using Recipes.Hashing;
using Recipes.Tests.Support;

namespace Recipes.Tests.Cache;

/// <summary>
/// docs/security.md: a cache entry, a bundle, a remote response or a state file can name any path it likes; nothing
/// is ever written or deleted outside out/&lt;recipe&gt;/, and a corrupt local blob is never copied into out/.
/// </summary>
public sealed class TrustBoundaryTests
{
    private static readonly string[] Escapes = ["../../../../escape-up.txt", "/tmp/recipes-escape-absolute.txt", "a/../../../../escape-mid.txt", "./dot.txt", "a//b.txt"];

    private static Support.Cli.Result Build(Workspace ws, params string[] extra) =>
        Support.Cli.Run(ws.Root, ["build", "recipe.yaml", "--cache", "cache", "--out", "out", .. extra]);

    private static string Manifest(Workspace ws, string outDir = "out") => File.ReadAllText(Path.Combine(ws.Root, outDir, "sweep", "manifest.json"));

    /// <summary>Every file the test could have written outside its workspace, by the names the crafted entries use.</summary>
    private static void NothingEscaped(Workspace ws)
    {
        foreach (var name in new[] { "escape-up.txt", "escape-mid.txt" })
            for (var dir = ws.Root; dir is not null; dir = Path.GetDirectoryName(dir))
                Assert.False(File.Exists(Path.Combine(dir, name)), $"{name} was written to {dir}");
        Assert.False(File.Exists("/tmp/recipes-escape-absolute.txt"));
    }

    /// <summary>Rewrites the first output name of every entry, cycling through the escaping names.</summary>
    private static int Craft(IEnumerable<string> entryFiles, Func<JsonObject, JsonObject> entryOf)
    {
        var crafted = 0;
        foreach (var file in entryFiles)
        {
            var document = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            var entry = entryOf(document);
            if (entry["outputs"] is not JsonArray { Count: > 0 } outputs) continue;
            outputs[0]!["name"] = Escapes[crafted++ % Escapes.Length];
            File.SetAttributes(file, FileAttributes.Normal);
            File.WriteAllText(file, document.ToJsonString());
        }
        return crafted;
    }

    [Fact]
    public void LocalEntriesNamingPathsOutsideTheirNodeAreRefusedAndRebuilt()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        Assert.Equal(0, Build(ws).ExitCode);
        var expected = Manifest(ws);
        Assert.True(Craft(StoredEntries.AsFiles(ws.Path_("cache")), e => e) > 5);
        Directory.Delete(ws.Path_("out"), recursive: true);
        Directory.Delete(ws.Path_("cache/state"), recursive: true);

        var result = Build(ws, "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("refused: it names an output path that is not normalized or leaves its directory", result.Stderr);
        Assert.Contains("refused: it names an absolute output path", result.Stderr);
        Assert.True(JsonNode.Parse(result.LastLine)!["executed"]!.GetValue<int>() > 5, "refused entries are misses and rebuilt");
        Assert.Equal(expected, Manifest(ws));
        NothingEscaped(ws);
    }

    [NginxFact]
    public void RemoteEntriesNamingPathsOutsideTheirNodeAreRefused()
    {
        using var nginx = new NginxServer();
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        Assert.Equal(0, Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--cache", "cache-a", "--out", "out-a", "--remote-cache", nginx.Url).ExitCode);
        Assert.True(Craft(nginx.StoredFiles("ac"), payload => payload["entry"]!.AsObject()) > 5);

        var result = Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--cache", "cache-b", "--out", "out-b", "--remote-cache", nginx.Url, "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("refused: it names", result.Stderr);
        Assert.Equal(Manifest(ws, "out-a"), Manifest(ws, "out-b"));
        NothingEscaped(ws);
    }

    [Fact]
    public void ABundleNamingPathsOutsideTheirNodeIsRefusedWhole()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        Assert.Equal(0, Build(ws).ExitCode);
        Assert.Equal(0, Support.Cli.Run(ws.Root, "cache", "export", "recipe.yaml", "bundle.zip", "--cache", "cache").ExitCode);
        using (var zip = ZipFile.Open(ws.Path_("bundle.zip"), ZipArchiveMode.Update))
        {
            var member = zip.Entries.First(e => e.FullName.StartsWith("ac/", StringComparison.Ordinal));
            JsonObject entry;
            using (var reader = new StreamReader(member.Open())) entry = JsonNode.Parse(reader.ReadToEnd())!.AsObject();
            entry["outputs"]![0]!["name"] = "../../../../escape-up.txt";
            var name = member.FullName;
            member.Delete();
            using var writer = new StreamWriter(zip.CreateEntry(name).Open());
            writer.Write(entry.ToJsonString());
        }

        var result = Support.Cli.Run(ws.Root, "cache", "import", "bundle.zip", "--cache", "cache-fresh");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("refused: it names an output path that is not normalized or leaves its directory '../../../../escape-up.txt'", result.Stderr);
        Assert.Contains("nothing was imported", result.Stderr);
        Assert.False(Directory.Exists(ws.Path_("cache-fresh/ac")) && Directory.EnumerateFiles(ws.Path_("cache-fresh/ac"), "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public void AStateFileNamingOutsideFilesNeverDeletesThem()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        Assert.Equal(0, Build(ws).ExitCode);
        var victim = Path.Combine(Path.GetDirectoryName(ws.Root)!, $"victim-{Guid.NewGuid():N}.txt");
        File.WriteAllText(victim, "must survive");
        try
        {
            var state = Directory.EnumerateFiles(ws.Path_("cache/state"), "out.*.materialized").Single();
            var relative = Path.GetRelativePath(Path.Combine(ws.Root, "out", "sweep"), victim);
            File.AppendAllText(state, $"{relative}\t{new string('0', 32)}\t12\t0\n/{victim.TrimStart('/')}\t{new string('0', 32)}\t12\t0\n");
            Assert.Equal(0, Build(ws, "--set", "parameters.space.a.choice=[1, 2]").ExitCode);
            Assert.Equal("must survive", File.ReadAllText(victim));
        }
        finally
        {
            File.Delete(victim);
        }
    }

    private static string OutputBlob(Workspace ws, string relative)
    {
        var manifest = JsonNode.Parse(Manifest(ws))!;
        var file = manifest["samples"]!.AsArray().SelectMany(s => s!["files"]!.AsArray()).First(f => f!["path"]!.GetValue<string>().EndsWith(relative, StringComparison.Ordinal))!;
        var hash = file["hash"]!.GetValue<string>();
        return ws.Path_($"cache/cas/{hash[..2]}/{hash}");
    }

    private static void Flip(string blob)
    {
        File.SetAttributes(blob, FileAttributes.Normal);
        var bytes = File.ReadAllBytes(blob);
        bytes[0] ^= 0x20;
        File.WriteAllBytes(blob, bytes);
    }

    [Fact]
    public void ACorruptLocalBlobIsNeverCopiedIntoOutButQuarantinedAndRebuilt()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        Assert.Equal(0, Build(ws).ExitCode);
        var expected = Manifest(ws);
        Flip(OutputBlob(ws, "simulate/out.txt"));
        Directory.Delete(ws.Path_("out"), recursive: true);

        var result = Build(ws);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("does not match its hash; quarantined, its node is rebuilt", result.Stderr);
        Assert.Equal(expected, Manifest(ws));
        foreach (var file in JsonNode.Parse(expected)!["samples"]!.AsArray().SelectMany(s => s!["files"]!.AsArray()))
            Assert.Equal(file!["hash"]!.GetValue<string>(), ContentHash.OfFile(ws.Path_("out/sweep/" + file["path"]!.GetValue<string>())));
        Assert.NotEmpty(Directory.EnumerateFiles(ws.Path_("cache/quarantine")));
    }

    [Fact]
    public void ACorruptLocalBlobFedToANodeIsQuarantinedAndItsMakerRebuilt()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        Assert.Equal(0, Build(ws).ExitCode);
        Flip(OutputBlob(ws, "simulate/result.json"));

        // The dataset reruns (a new setting) and reads every simulation's result.json, the corrupt one included.
        var result = Build(ws, "--set", "stages.dataset.shard=2", "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("quarantined", result.Stderr);
        Assert.Contains("rebuilding the nodes whose cached outputs were corrupt", result.Stderr);
        Assert.Equal(0, JsonNode.Parse(result.LastLine)!["failed"]!.GetValue<int>());
    }

    [SmallDiskFact]
    public void AFullDiskUnderOutEndsInOneLineAndTheNextBuildFinishes()
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        using (var disk = new SmallDisk(16))
        {
            var full = Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--cache", "cache", "--out", disk.Path);
            Assert.Equal(1, full.ExitCode);
            Assert.Contains("No space left on device", full.Stderr);
            Assert.Contains("free space and build again (finished nodes are kept)", full.Stderr);
            Assert.DoesNotContain("   at ", full.Stderr);
            Assert.Empty(Directory.EnumerateFiles(disk.Path, ".tmp-*", SearchOption.AllDirectories));
        }
        var again = Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--cache", "cache", "--out", "out", "--json");
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(0, JsonNode.Parse(again.LastLine)!["executed"]!.GetValue<int>());
    }
}
