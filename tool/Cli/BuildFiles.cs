namespace Recipes.Cli;

/// <summary>How <c>build</c> talks to another build system: error format, and the files it writes for it.</summary>
/// <param name="Report">Where <c>--report</c> writes the HTML report: null for none, empty for the default path.</param>
public sealed record BuildFiles(Diagnostics.ErrorFormat ErrorFormat, string? DepFile, string? OutputsFile, string? Report = null);
