namespace Recipes.Tests.Support;

/// <summary>Small recipes the tests write into a <see cref="Workspace"/>.</summary>
public static class SampleRecipes
{
    /// <summary>A templated input, a shell "solver" and a csv dataset; every stage is cheap.</summary>
    public static void Sweep(Workspace ws, string space = "a: { choice: [1, 2, 3] }\n    b: { choice: [x, y] }",
        string sampler = "grid", int? samples = null, string extraStages = "", string command = "cat input.txt > out.txt && echo \"{\\\"value\\\": $(wc -c < input.txt)}\" > result.json")
    {
        ws.Write("base/input.txt.sbn", "a={{ a }} b={{ b }}\n");
        ws.Write("recipe.yaml", $"""
            recipe: sweep
            seed: 3
            base_case:
              dir: base/
            parameters:
              sampler: {sampler}
            {(samples is null ? "" : $"  samples: {samples}")}
              space:
                {space}
            stages:
              simulate:
                solver: exec
                command: '{command}'
                outputs: [out.txt, result.json]
              dataset:
                format: csv
            {extraStages}
            """);
    }
}
