using System.Text.Json.Nodes;
using System.Xml.Linq;
using Recipes.Tests.Support;
using Recipes.Training;

namespace Recipes.Tests.Packaging;

/// <summary>
/// The dotnet tool route: <c>dotnet pack tool</c>, then <c>dotnet tool restore</c> from the local feed with the
/// repository's dotnet-tools.json, then <c>dotnet recipes</c>. The package leaves libtorch out, so the installed tool
/// also has to train with libtorch from the NuGet packages folder.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ToolPackageTests
{
    private static DotnetProcess.Result Dotnet(string directory, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        DotnetProcess.Run(directory, environment, args);

    [Fact]
    public void PackRestoreAndRunTheToolWithoutBundledLibTorch()
    {
        var repo = Cli.MalformedRecipeTests.RepoRoot();
        using var ws = new Support.Workspace();
        var feed = PackedFeed.Folder;
        var packages = Path.Combine(ws.Root, "packages");
        var package = Directory.EnumerateFiles(feed, "Recipes.Tool.*.nupkg").Single();
        Assert.True(new FileInfo(package).Length < 50L << 20, $"the tool package is {new FileInfo(package).Length >> 20} MB");

        // A clean NuGet packages folder and CLI home, so no earlier install of the same version is reused.
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = packages, ["DOTNET_CLI_HOME"] = Path.Combine(ws.Root, "home") };
        File.Copy(Path.Combine(repo, "dotnet-tools.json"), Path.Combine(ws.Root, "dotnet-tools.json"));
        ws.Write("nuget.config", $"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration><packageSources><clear /><add key=\"feed\" value=\"{feed}\" /></packageSources></configuration>\n");
        var restore = Dotnet(ws.Root, environment, "tool", "restore");
        Assert.True(restore.ExitCode == 0, restore.Stdout + restore.Stderr);
        var version = Dotnet(ws.Root, environment, "recipes", "--version");
        Assert.Equal(0, version.ExitCode);
        Assert.Equal("0.1.0", version.Stdout.Trim());

        // Training through the installed tool, with libtorch found in the packages folder.
        Directory.CreateSymbolicLink(Path.Combine(packages, TorchRuntime.LibTorchPackage), Path.Combine(TorchRuntime.PackagesFolder(), TorchRuntime.LibTorchPackage));
        ws.CopyRecipe("heat-diffusion");
        var build = Dotnet(ws.Root, environment, "recipes", "build", "ci.yaml", "--json");
        Assert.True(build.ExitCode == 0, build.Stderr);
        Assert.Equal(0, JsonNode.Parse(build.Stdout.Trim().Split('\n').Last())!["failed"]!.GetValue<int>());
    }

    [Fact]
    public void TheLibTorchTheRuntimeLooksForIsTheOneTheBuildReferences()
    {
        var props = XDocument.Load(Path.Combine(Cli.MalformedRecipeTests.RepoRoot(), "Directory.Packages.props"));
        var version = props.Descendants("PackageVersion").Single(e => (string?)e.Attribute("Include") == TorchRuntime.LibTorchPackage).Attribute("Version")!.Value;
        Assert.Equal(TorchRuntime.LibTorchVersion, version);
    }
}
