namespace Recipes.Adaptive;

/// <summary>How a round scores the pool's candidates.</summary>
public enum AcquisitionKind
{
    /// <summary>Disagreement of the surrogate ensemble's members (their variance) at the candidate.</summary>
    EnsembleVariance,

    /// <summary>Distance to the nearest sample already simulated: fills the space's emptiest places, ignoring the results.</summary>
    SpaceFilling,

    /// <summary>Ensemble variance plus <c>distance_weight</c> times the distance term, each scaled to [0, 1] over the pool.</summary>
    VarianceAndDistance,
}
