using System.Text;
using System.Text.Json.Nodes;
using Recipes.Tests.Support;

namespace Recipes.Tests.Remote;

/// <summary>
/// docs/security.md, the remote cache: a shared cache that serves malformed entries or blobs, of any shape, costs a
/// build its hits and prints warnings, but the build succeeds with the same outputs as one without the remote. The
/// remote here is scripted (<see cref="ScriptedRemote"/>): an honest build fills it, then every answer is poisoned.
/// </summary>
public sealed class MalformedRemoteTests
{
    /// <summary>Rewrites every output of a stored entry with <paramref name="change"/>.</summary>
    private static byte[] EditOutputs(byte[] stored, Action<JsonObject> change)
    {
        var payload = JsonNode.Parse(stored)!.AsObject();
        foreach (var output in payload["entry"]!["outputs"]!.AsArray()) change(output!.AsObject());
        return Encoding.UTF8.GetBytes(payload.ToJsonString());
    }

    private static ScriptedRemote.Answer Poison(string shape, string path, byte[]? stored)
    {
        var entry = path.StartsWith("ac/", StringComparison.Ordinal);
        if (stored is null) return new ScriptedRemote.Answer(null, 404);
        return shape switch
        {
            "entry: a JSON array" when entry => new("[1, 2]"u8.ToArray()),
            "entry: fields of the wrong type" when entry => new("""{"format": 1, "key": 2, "entry": 3, "blobs": "x"}"""u8.ToArray()),
            "entry: cut short" when entry => new(stored[..(stored.Length / 2)]),
            "entry: not JSON" when entry => new("<html><body>502 Bad Gateway</body></html>"u8.ToArray()),
            "entry: a name as a number" when entry => new(EditOutputs(stored, o => o["name"] = 5)),
            "entry: a name leading outside" when entry => new(EditOutputs(stored, o => o["name"] = "../../outside.txt")),
            "entry: a size of 1e20" when entry => new(EditOutputs(stored, o => o["size"] = 1e20)),
            "entry: never ends" when entry => new(null, Endless: true),
            "entry: server error" when entry => new(null, 500),
            "blob: other bytes" when !entry => new([.. stored.Select(b => (byte)(b ^ 0x5a))]),
            "blob: longer than declared" when !entry => new([.. stored, .. "more"u8.ToArray()]),
            "blob: cut short" when !entry => new(stored[..(stored.Length / 2)]),
            "blob: never ends" when !entry => new(null, Endless: true),
            _ => new(stored),
        };
    }

    public static TheoryData<string> Shapes => new()
    {
        "entry: a JSON array", "entry: fields of the wrong type", "entry: cut short", "entry: not JSON", "entry: a name as a number",
        "entry: a name leading outside", "entry: a size of 1e20", "entry: never ends", "entry: server error",
        "blob: other bytes", "blob: longer than declared", "blob: cut short", "blob: never ends",
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ABuildWhoseRemoteServesAMalformedShapeSucceedsWithTheSameOutputs(string shape)
    {
        using var ws = new Workspace();
        SampleRecipes.Sweep(ws);
        using var remote = new ScriptedRemote();
        var honest = Support.Cli.Run(ws.Root, "build", "recipe.yaml", "--cache", "cache-a", "--out", "out-a", "--remote-cache", remote.Url, "--json");
        Assert.True(honest.ExitCode == 0, honest.Stderr);
        Assert.Contains(remote.Stored.Keys, k => k.StartsWith("ac/", StringComparison.Ordinal));

        remote.Serve = (path, stored) => Poison(shape, path, stored);
        var poisoned = Support.Cli.Run(ws.Root, null, TimeSpan.FromMinutes(2), "build", "recipe.yaml", "--cache", "cache-b", "--out", "out-b", "--remote-cache", remote.Url,
            "--remote-upload", "false", "--json");
        Assert.True(poisoned.ExitCode == 0, $"{shape}: exit {poisoned.ExitCode}: {poisoned.Stderr}");
        Assert.DoesNotContain("Unhandled exception", poisoned.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", poisoned.Stderr, StringComparison.Ordinal);
        Assert.Contains("remote cache", poisoned.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(ws.Path_("outside.txt")) || File.Exists(Path.Combine(ws.Root, "..", "outside.txt")));
        // The same dataset as the honest build's: nothing the remote served reached out/.
        Assert.Equal(File.ReadAllBytes(ws.Path_("out-a/sweep/dataset/shard-0000.csv")), File.ReadAllBytes(ws.Path_("out-b/sweep/dataset/shard-0000.csv")));
        var summary = JsonNode.Parse(poisoned.LastLine)!;
        Assert.Equal(0, summary["failed"]!.GetValue<int>());
    }
}
