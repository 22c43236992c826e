namespace Recipes.Report;

/// <summary>One picture of the build: inlined when <see cref="Bytes"/> is set, else named by its path.</summary>
public sealed record ReportPicture(string Group, string Caption, string Path, string MediaType, byte[]? Bytes, long Size);
