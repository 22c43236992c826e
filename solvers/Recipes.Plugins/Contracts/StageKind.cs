namespace Recipes.Plugins;

/// <summary>The pipeline's stages as a type: the values are in execution order, so comparing two compares their order.</summary>
public enum StageKind
{
    Render,
    Simulate,
    Postprocess,
    Augment,
    Dataset,
    Train,
    Evaluate,
}
