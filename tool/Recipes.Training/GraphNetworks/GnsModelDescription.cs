namespace Recipes.Training.GraphNetworks;

/// <summary>The graph network simulator's model.json: how the evaluator rebuilds the network the trainer saved.</summary>
public sealed record GnsModelDescription(
    string Model,
    int LatentSize,
    int MessagePassingSteps,
    double NoiseStd,
    int NodeFeatures,
    int EdgeFeatures,
    int Dim,
    bool ClampToBox,
    double EmaDecay);
