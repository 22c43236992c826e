namespace Recipes.Training.Surrogates;

/// <summary>The field regressor's model.json: how the evaluator rebuilds the network the trainer saved.</summary>
public sealed record ResNetUNetDescription(
    string Model,
    int Depth,
    int Width,
    double Dropout,
    int Size,
    int Epochs,
    int Steps);
