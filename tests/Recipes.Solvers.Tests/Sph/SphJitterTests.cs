using Recipes.Solvers.Sph;

namespace Recipes.Solvers.Tests.Sph;

/// <summary>
/// The initial lattice's jitter (LagrangeBench's dam break perturbs its lattice so that trajectories of one geometry
/// differ): bounded by the setting, repeatable from the seed, different between seeds, and absent by default.
/// </summary>
public sealed class SphJitterTests
{
    private const double Spacing = 0.02;

    private static SphScene Scene(double jitter, ulong seed) => new()
    {
        Dimensions = 2,
        Box = [1.0, 0.5],
        Blocks = [new FluidBlock([0, 0], [0.2, 0.1], [0, 0])],
        Spacing = Spacing,
        Duration = 0.1,
        Jitter = jitter,
        JitterSeed = seed,
    };

    [Fact]
    public void WithoutJitterTheFluidSitsOnTheLatticeWhateverTheSeed()
    {
        var (fluid, _, _) = SphSimulation.Place(Scene(0, 1));
        Assert.Equal(10 * 5 * 3, fluid.Length);
        for (var p = 0; p < fluid.Length / 3; p++)
        {
            Assert.Equal((float)((p % 10 + 0.5) * Spacing), fluid[3 * p]);
            Assert.Equal((float)((p / 10 + 0.5) * Spacing), fluid[3 * p + 1]);
        }
        Assert.Equal(fluid, SphSimulation.Place(Scene(0, 2)).Fluid);
    }

    [Fact]
    public void JitterMovesEveryParticleWithinItsReachRepeatablyAndDifferentlyPerSeed()
    {
        var lattice = SphSimulation.Place(Scene(0, 1)).Fluid;
        var jittered = SphSimulation.Place(Scene(0.1, 7)).Fluid;
        var largest = 0.0;
        for (var k = 0; k < lattice.Length; k++)
        {
            if (k % 3 == 2) { Assert.Equal(0f, jittered[k]); continue; }   // 2D: the third coordinate stays 0
            var offset = Math.Abs(jittered[k] - lattice[k]);
            Assert.True(offset <= 0.1 * Spacing + 1e-7, $"coordinate {k} moved {offset}, more than a tenth of the spacing");
            largest = Math.Max(largest, offset);
        }
        // 100 uniform draws in ±0.002: the largest falls short of half the reach with probability 2^-100.
        Assert.True(largest > 0.05 * Spacing, $"largest offset {largest}");
        Assert.Equal(jittered, SphSimulation.Place(Scene(0.1, 7)).Fluid);
        Assert.NotEqual(jittered, SphSimulation.Place(Scene(0.1, 8)).Fluid);
    }
}
