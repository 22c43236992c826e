namespace Recipes.Training.GraphNetworks;

/// <summary>
/// The trivial simulators a learned one must beat, each a rule on the last two positions (no learning):
/// <see cref="Frozen"/> keeps every particle where it is; <see cref="ConstantVelocity"/> extrapolates
/// x_{t+1} = 2x_t − x_{t−1}; <see cref="ConstantVelocityGravity"/> adds the training set's mean acceleration per step
/// (gravity, in the dataset's units) and clamps to the box, so that particles stop at walls instead of leaving.
/// </summary>
public enum RolloutBaseline
{
    Frozen,
    ConstantVelocity,
    ConstantVelocityGravity,
}
