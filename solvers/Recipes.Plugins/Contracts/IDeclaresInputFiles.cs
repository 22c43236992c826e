namespace Recipes.Plugins;

/// <summary>
/// A plug-in whose settings name files outside the cache (an exec trainer's script and its modules). The engine hashes
/// them into every node's key by content, as it does a base case's templates, keeps a copy in the cache so <c>status</c>
/// can say which line changed, and hands them to the node as the <c>base_case</c> upstream entry.
/// </summary>
public interface IDeclaresInputFiles
{
    /// <summary>
    /// The files, as (name relative to <paramref name="directory"/>, full path), in a stable order. Throws a
    /// <see cref="PluginException"/> naming the setting when a declared file is missing or leaves the directory.
    /// </summary>
    IReadOnlyList<(string Name, string FullPath)> InputFiles(ValueMap settings, string directory);
}
