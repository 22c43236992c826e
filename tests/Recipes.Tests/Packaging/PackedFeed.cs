using Recipes.Tests.Support;

namespace Recipes.Tests.Packaging;

/// <summary>
/// A package folder holding what <c>dotnet pack</c> makes of this clone (Recipes.Tool and Recipes.Tasks), packed once
/// per test run for the tests that install them as a user would.
/// </summary>
public static class PackedFeed
{
    private static readonly Lazy<string> Packed = new(() => FixtureClock.Measure("dotnet pack tool and tasks", () =>
    {
        var feed = Path.Combine(Path.GetTempPath(), "recipes-tests", "feed-" + Guid.NewGuid().ToString("N")[..8]);
        var repo = Cli.MalformedRecipeTests.RepoRoot();
        foreach (var project in new[] { "tool", "tasks" })
        {
            var pack = DotnetProcess.Run(repo, null, "pack", project, "-c", "Release", "-o", feed);
            Assert.True(pack.ExitCode == 0, pack.Output);
        }
        return feed;
    }));

    public static string Folder => Packed.Value;

    /// <summary>A nuget.config that adds the feed to the machine's own sources (no &lt;clear/&gt;), as docs/install.md shows.</summary>
    public static string NuGetConfig(string feed) =>
        $"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSources>\n    <add key=\"recipes\" value=\"{feed}\" />\n  </packageSources>\n</configuration>\n";
}
