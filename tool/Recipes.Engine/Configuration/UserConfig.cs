using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recipes.Configuration;

/// <summary>
/// Per-machine settings that do not belong in a recipe (a cache server, a cluster account): <c>.recipes.json</c> in
/// the project root (<see cref="ProjectRoot"/>), else <c>$XDG_CONFIG_HOME/recipes/config.json</c> or <c>~/.config/recipes/config.json</c>.
/// The first file found wins as a whole, so a project file never mixes with a user's.
/// </summary>
public static class UserConfig
{
    /// <summary>A top-level section (<c>remote_cache</c>, <c>slurm</c>), or null. Throws <see cref="FormatException"/> on bad JSON.</summary>
    public static JsonNode? Section(string name, ProjectRoot project)
    {
        var home = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        foreach (var path in new[] { project.Config, Path.Combine(home, "recipes", "config.json") })
        {
            if (!File.Exists(path)) continue;
            try
            {
                return JsonNode.Parse(File.ReadAllText(path))?[name];
            }
            catch (JsonException e)
            {
                throw new FormatException($"{path}: not valid JSON ({e.Message}); fix or remove the file");
            }
        }
        return null;
    }
}
