using System.Text.Json.Nodes;
using Recipes.Reading;

namespace Recipes.Configuration;

/// <summary>
/// Per-machine settings that do not belong in a recipe (a cache server, a cluster account): <c>.recipes.json</c> in
/// the project root (<see cref="ProjectRoot"/>), else <c>$XDG_CONFIG_HOME/recipes/config.json</c> or <c>~/.config/recipes/config.json</c>.
/// The first file found wins as a whole, so a project file never mixes with a user's.
/// </summary>
public static class UserConfig
{
    /// <summary>
    /// A top-level section (<c>remote_cache</c>, <c>slurm</c>) as an object, or null. The file is read as every file the
    /// tool did not write: a regular file of at most 1 MiB holding one JSON object (<see cref="BoundedJson"/>); anything
    /// else, or a section that is not an object, throws <see cref="Plugins.Files.RefusedFileException"/> (exit 2).
    /// </summary>
    public static JsonObject? Section(string name, ProjectRoot project) => Section(name, project, out _);

    /// <summary>As <see cref="Section(string, ProjectRoot)"/>, with the file it came from (for messages about its fields).</summary>
    public static JsonObject? Section(string name, ProjectRoot project, out string source)
    {
        var home = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        foreach (var path in new[] { project.Config, Path.Combine(home, "recipes", "config.json") })
        {
            // A FIFO or a device "exists" too: it is refused by the reader, never opened.
            if (!File.Exists(path)) continue;
            source = path;
            return JsonFields.Object(BoundedJson.ReadObject(path), name, path);
        }
        source = "";
        return null;
    }
}
