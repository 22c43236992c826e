using System.Reflection;

namespace Recipes.Versions;

/// <summary>
/// The version of the tool that wrote a record: the informational version (what <c>recipes --version</c> prints) and,
/// where the build knew it, the commit it was built from (the engine's <c>SourceRevisionId</c> metadata, written by the
/// engine's project file). Records carry it; no action key does, so a new tool serves the old tool's cache entries.
/// </summary>
public static class ToolVersion
{
    private static readonly Assembly Engine = typeof(ToolVersion).Assembly;

    /// <summary>The informational version without any <c>+commit</c> suffix, e.g. <c>0.1.0</c>.</summary>
    public static string Informational { get; } =
        (Engine.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? Engine.GetName().Version?.ToString() ?? "0.0.0")
        .Split('+')[0];

    /// <summary>The commit the tool was built from; null where it was built outside a Git checkout.</summary>
    public static string? Commit { get; } = Engine.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == "SourceRevisionId" && !string.IsNullOrEmpty(a.Value))?.Value;

    /// <summary>As records show it: <c>0.1.0+&lt;commit&gt;</c>, or the version alone.</summary>
    public static string Text { get; } = Commit is { } commit ? $"{Informational}+{commit}" : Informational;
}
