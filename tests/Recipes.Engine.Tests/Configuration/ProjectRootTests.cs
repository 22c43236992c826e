using Recipes.Configuration;
using Recipes.Engine.Tests.Support;

namespace Recipes.Engine.Tests.Configuration;

public sealed class ProjectRootTests
{
    [Fact]
    public void TheRepositoryRootIsTheProjectWhateverTheWorkingDirectory()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(temp.Root, "repo", ".git"));
        var recipe = temp.Write("repo/recipes/quickstart/recipe.yaml", "recipe: q\n");
        Directory.CreateDirectory(Path.Combine(temp.Root, "repo", "docs"));

        var fromDocs = ProjectRoot.Find("../recipes/quickstart/recipe.yaml", Path.Combine(temp.Root, "repo", "docs"));
        var fromElsewhere = ProjectRoot.Find(recipe, temp.Root);

        Assert.Equal(Path.Combine(temp.Root, "repo"), fromDocs.Directory);
        Assert.Equal(ProjectRootReason.Repository, fromDocs.FoundBy);
        Assert.Equal(fromDocs, fromElsewhere);
        Assert.Equal(Path.Combine(temp.Root, "repo", ".recipes"), fromDocs.DefaultCache);
        Assert.Equal(Path.Combine(temp.Root, "repo", "out"), fromDocs.DefaultOutput);
    }

    [Fact]
    public void AGitFileMarksAWorktreeRoot()
    {
        using var temp = new TempDirectory();
        temp.Write("worktree/.git", "gitdir: elsewhere\n");
        var recipe = temp.Write("worktree/a/b/recipe.yaml", "recipe: q\n");
        Assert.Equal(Path.Combine(temp.Root, "worktree"), ProjectRoot.Find(recipe, temp.Root).Directory);
    }

    [Fact]
    public void TheNearestProjectMarkerWinsOverTheRepository()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(temp.Root, "repo", ".git"));
        temp.Write("repo/sub/.recipes.json", "{}");
        Directory.CreateDirectory(Path.Combine(temp.Root, "repo", "other", ".recipes"));
        var configured = ProjectRoot.Find(temp.Write("repo/sub/x/recipe.yaml", "recipe: q\n"), temp.Root);
        var cached = ProjectRoot.Find(temp.Write("repo/other/recipe.yaml", "recipe: q\n"), temp.Root);

        Assert.Equal((Path.Combine(temp.Root, "repo", "sub"), ProjectRootReason.ConfigFile), (configured.Directory, configured.FoundBy));
        Assert.Equal(Path.Combine(temp.Root, "repo", "sub", ".recipes.json"), configured.Config);
        Assert.Equal((Path.Combine(temp.Root, "repo", "other"), ProjectRootReason.CacheDirectory), (cached.Directory, cached.FoundBy));
    }

    [Fact]
    public void AMarkerAboveTheRepositoryDoesNotCaptureIt()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(temp.Root, ".recipes"));
        Directory.CreateDirectory(Path.Combine(temp.Root, "repo", ".git"));
        var found = ProjectRoot.Find(temp.Write("repo/recipe.yaml", "recipe: q\n"), temp.Root);
        Assert.Equal(Path.Combine(temp.Root, "repo"), found.Directory);
    }

    [Fact]
    public void WithoutAnyMarkerTheWorkingDirectoryIsTheProject()
    {
        using var temp = new TempDirectory();
        var recipe = temp.Write("loose/recipe.yaml", "recipe: q\n");
        var cwd = Directory.CreateDirectory(Path.Combine(temp.Root, "cwd")).FullName;
        var found = ProjectRoot.Find(recipe, cwd);
        Assert.Equal((cwd, ProjectRootReason.WorkingDirectory), (found.Directory, found.FoundBy));
        Assert.Contains("working directory", found.Describe());
    }
}
