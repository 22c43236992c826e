namespace Recipes.Tests.Fuzz;

/// <summary>
/// A scratch root for one fuzz target: <c>project/</c>, where cases write, and <c>outside/</c>, holding one file a
/// case must never touch (mutations name <c>../../outside/victim</c>, absolute paths and links). <see cref="AssertOutsideUntouched"/>
/// checks it after the target: nothing written, deleted or changed outside the project.
/// </summary>
public sealed class FuzzDirectory : IDisposable
{
    private const string VictimContent = "not the tool's to touch";

    public FuzzDirectory()
    {
        Root = Path.Combine(Path.GetTempPath(), "recipes-fuzz", Guid.NewGuid().ToString("N")[..12]);
        Project = Directory.CreateDirectory(Path.Combine(Root, "project")).FullName;
        Outside = Directory.CreateDirectory(Path.Combine(Root, "outside")).FullName;
        File.WriteAllText(Path.Combine(Outside, "victim"), VictimContent);
        File.WriteAllText(Path.Combine(Outside, "victim.json"), VictimContent);
    }

    public string Root { get; }
    public string Project { get; }
    public string Outside { get; }

    /// <summary>A fresh directory under the project for one case.</summary>
    public string NewCase() => Directory.CreateDirectory(Path.Combine(Project, Guid.NewGuid().ToString("N")[..12])).FullName;

    public void AssertOutsideUntouched()
    {
        Assert.Equal(["victim", "victim.json"], Directory.EnumerateFileSystemEntries(Outside).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(VictimContent, File.ReadAllText(Path.Combine(Outside, "victim")));
        Assert.Equal(VictimContent, File.ReadAllText(Path.Combine(Outside, "victim.json")));
        Assert.Equal(["outside", "project"], Directory.EnumerateFileSystemEntries(Root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    public static void DeleteQuietly(string directory)
    {
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public void Dispose() => DeleteQuietly(Root);
}
