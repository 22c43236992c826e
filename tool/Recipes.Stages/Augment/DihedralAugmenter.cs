using Recipes.Plugins;
using Recipes.Plugins.Files;
using Recipes.Plugins.Formats;

namespace Recipes.Stages.Augment;

/// <summary>
/// <c>augment: { dihedral: 8 }</c>: writes each square <c>.npy</c> field of the sample under the first n symmetries of
/// the square (1: identity; 2: identity and mirror; 4: the rotations; 8: all), as <c>name.dK.npy</c>. Input and target
/// fields get the same transform, so pairs stay consistent. The sample's <c>draws.json</c>, if the previous stage wrote
/// one, is passed on unchanged (it describes the untransformed sample), so the dataset stage still finds it.
/// </summary>
public sealed class DihedralAugmenter : StagePlugin
{
    private static readonly int[][] Subsets = [[0], [0, 4], [0, 1, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7]];

    public override string Name => "dihedral";
    public override string Stage => StageNames.Augment;
    // 2: passes the previous stage's draws.json on (a new output where there is one; the fields are unchanged).
    public override int Version => 2;
    public override string Summary => "Exact rotations and reflections of square fields (x1, x2, x4 or x8).";

    private static readonly Setting<int> Dihedral = Settings.Int("dihedral", "How many symmetries of the square: 1, 2 (mirror), 4 (rotations) or 8 (all).", 8);

    private static readonly Setting<IReadOnlyList<string>?> Files = Settings.OptionalTexts("files", "The .npy fields to transform (default: every .npy output of the previous stage).");

    public override IReadOnlyList<OptionSpec> Options { get; } =
    [
        Dihedral,
        Files,
    ];

    public override IEnumerable<OptionProblem> Validate(ValueMap settings)
    {
        if (Dihedral.Read(settings) is not (1 or 2 or 4 or 8))
            yield return new OptionProblem(Dihedral.Name, "must be 1, 2, 4 or 8");
    }

    public static int[] Elements(int count) => Subsets[count switch { 1 => 0, 2 => 1, 4 => 2, _ => 3 }];

    public override Task RunAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var elements = Elements(Dihedral.Read(context.Settings));
        var wanted = (Files.Read(context.Settings) ?? []).ToHashSet(StringComparer.Ordinal);
        var files = context.InputFiles.Where(f => f.Name.EndsWith(".npy", StringComparison.Ordinal) && (wanted.Count == 0 || wanted.Contains(f.Name))).ToList();
        if (files.Count == 0) throw new PluginException("no .npy field to augment; the previous stage wrote: " + string.Join(", ", context.InputFiles.Select(f => f.Name)));
        foreach (var file in files)
        {
            var array = Reading.SampleInput.Read(context.NodeId, file, NpyFile.Read);
            if (array.Shape.Length != 2 || array.Shape[0] != array.Shape[1])
                throw new PluginException($"{file.Name} has shape ({string.Join(", ", array.Shape)}); dihedral augmentation needs a square 2-D field");
            var n = array.Shape[0];
            var stem = file.Name[..^4];
            for (var e = 0; e < elements.Length; e++)
                NpyFile.Write(context.OutputPath($"{stem}.d{e}.npy"), new NpyArray([n, n], DihedralGroup.Apply(elements[e], array.Data, n)));
        }
        if (context.InputFiles.FirstOrDefault(f => f.Name == SampleDraws.FileName) is { } draws)
        {
            var bytes = Reading.SampleInput.Read(context.NodeId, draws, path => RegularFile.ReadAllBytes(path, SampleDraws.MaxBytes));
            AtomicFile.WriteAllBytes(context.OutputPath(SampleDraws.FileName), bytes);
        }
        context.Metrics["copies"] = elements.Length;
        return Task.CompletedTask;
    }
}
