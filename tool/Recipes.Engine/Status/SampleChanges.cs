namespace Recipes.Status;

/// <summary>
/// The plan's samples against the last build's, matched by their parameter values: new ones, ones no longer in the
/// space, ones known before that will rebuild (a template, setting or upstream file changed), and ones left as they are.
/// </summary>
public sealed record SampleChanges(int New, int Gone, int Changed, int Unchanged)
{
    /// <summary>One line for status and diff: "samples: 12 new, 0 no longer in the space, 0 changed, 6 unchanged".</summary>
    public string Describe() => $"samples: {New} new, {Gone} no longer in the space, {Changed} changed, {Unchanged} unchanged";
}
