namespace Recipes.Plugins;

/// <summary>The pipeline's stages as a type: the values are in execution order, so comparing two compares their order.</summary>
public enum StageKind
{
    Render,
    Simulate,
    Postprocess,
    Augment,

    /// <summary>An adaptive sampler's rounds: engine-made nodes that choose the next samples, never configured under stages:.</summary>
    Select,
    Dataset,
    Train,
    Evaluate,
}
