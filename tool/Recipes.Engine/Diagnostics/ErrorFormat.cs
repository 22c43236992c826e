namespace Recipes.Diagnostics;

/// <summary>How diagnostics are printed: <c>file:line:col: error: message</c>, or MSBuild's canonical form.</summary>
public enum ErrorFormat
{
    Text,
    MSBuild,
}
