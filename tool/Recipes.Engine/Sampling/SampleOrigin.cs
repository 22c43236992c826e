namespace Recipes.Sampling;

/// <summary>Why an adaptive sampler holds a sample: the round whose selection chose it and the acquisition score it had.</summary>
public sealed record SampleOrigin(int Round, double Score);
