namespace Recipes.Solvers.Smoke;

/// <summary>
/// What a smoke run produced: density at the recorded steps (row 0 at the bottom), the final face velocities (u on the
/// (N+1)×N vertical faces, v on the N×(N+1) horizontal ones) and temperature, and the
/// projection's figures: the largest divergence left after any projection relative to its value before, and CG work.
/// </summary>
public sealed record SmokeResult(
    int Size,
    IReadOnlyList<int> FrameSteps,
    IReadOnlyList<float[]> Density,
    IReadOnlyList<double> Mass,
    float[] FaceU,
    float[] FaceV,
    float[] Temperature,
    double MaxRelativeDivergence,
    double MaxDivergence,
    int MaxIterations,
    double MeanIterations);
