using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Plugins;

namespace Recipes.Adaptive;

/// <summary>
/// <c>parameters.adaptive</c> of a recipe whose sampler is <c>adaptive</c>: an initial Sobol design of
/// <see cref="Initial"/> points, then <see cref="Rounds"/> rounds that each train a surrogate ensemble on every result so
/// far, score the unsimulated points of a Sobol pool (the <see cref="Pool"/> Sobol points after the initial design) and
/// simulate the <see cref="Batch"/> best. The surrogate learns the number <see cref="Target"/> of the JSON file
/// <see cref="Result"/> that each sample's last per-sample stage writes.
/// </summary>
public sealed record AdaptiveSettings
{
    public int Initial { get; init; } = 16;
    public int Rounds { get; init; } = 4;
    public int Batch { get; init; } = 8;
    public int Pool { get; init; } = 512;
    public AcquisitionKind Acquisition { get; init; } = AcquisitionKind.EnsembleVariance;
    public required string Target { get; init; }
    public string Result { get; init; } = "result.json";

    /// <summary>Surrogates in the ensemble, each with its own random features and bootstrap resample.</summary>
    public int Members { get; init; } = 8;

    /// <summary>Random Fourier features per member.</summary>
    public int Features { get; init; } = 128;

    /// <summary>Length scale of the features' Gaussian kernel, in units of each axis's range (the unit cube).</summary>
    public double LengthScale { get; init; } = 0.15;

    /// <summary>Weight of the distance term in <see cref="AcquisitionKind.VarianceAndDistance"/>.</summary>
    public double DistanceWeight { get; init; } = 0.5;

    /// <summary>Samples the whole sweep holds once every round ran.</summary>
    public int Total => Initial + Rounds * Batch;

    /// <summary>
    /// The settings a round's node sees and its key holds. <see cref="Rounds"/> is not among them: round r is the same
    /// work whether more rounds follow, so raising <c>rounds</c> runs only the new ones.
    /// </summary>
    public ValueMap NodeSettings() => new(new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
    {
        ["acquisition"] = Acquisitions.Name(Acquisition),
        ["batch"] = Batch,
        ["target"] = Target,
        ["result"] = Result,
        ["members"] = Members,
        ["features"] = Features,
        ["length_scale"] = LengthScale,
        ["distance_weight"] = DistanceWeight,
    });

    public static AdaptiveSettings FromNode(ValueMap settings) => new()
    {
        Acquisition = Acquisitions.TryParse(settings.GetString("acquisition")) ?? throw new PluginException($"unknown acquisition '{settings.GetString("acquisition")}'"),
        Batch = settings.GetInt("batch"),
        Target = settings.GetString("target"),
        Result = settings.GetString("result"),
        Members = settings.GetInt("members"),
        Features = settings.GetInt("features"),
        LengthScale = settings.GetDouble("length_scale"),
        DistanceWeight = settings.GetDouble("distance_weight"),
    };

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"initial {Initial}, {Rounds} rounds of {Batch} from a pool of {Pool}, {Acquisitions.Name(Acquisition)} on {Result}:{Target}");
}
