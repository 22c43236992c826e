namespace Recipes.Cli;

/// <summary>How <c>build</c> talks to another build system: error format, and the files it writes for it.</summary>
public sealed record BuildFiles(Diagnostics.ErrorFormat ErrorFormat, string? DepFile, string? OutputsFile);
