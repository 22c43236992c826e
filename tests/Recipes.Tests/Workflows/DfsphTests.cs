using System.Globalization;
using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Solvers.Gpu;
using Recipes.Solvers.Sph;
using Recipes.Tests.Support;

namespace Recipes.Tests.Workflows;

/// <summary>
/// The divergence-free SPH scheme on the scenes of <see cref="SphTests"/>: the same experiment and bounds, conservation,
/// determinism, and what the solver promises (its tolerances, its CFL time step, frames at a fixed interval).
/// </summary>
[Trait("Category", "Slow")]
public sealed class DfsphTests
{
    /// <summary>Frames 1 ms apart: the front is read at the first frame past each experimental time, 1.4% of T late at most.</summary>
    private static SphScene MartinMoyce(int particlesPerSide) =>
        SphTests.MartinMoyce(particlesPerSide) with { Scheme = SphScheme.Dfsph, OutputInterval = 0.001 };

    [Fact]
    public void TheSurgeFrontFollowsMartinAndMoyce()
    {
        var result = new SphSimulation(MartinMoyce(20)).Run(Devices.CpuBatch);
        SphTests.AssertTheFrontFollowsTheExperiment(result, "recipes-martin-moyce-dfsph.png");
    }

    [Fact]
    public void MassIsConservedAndEnergyDoesNotGrow()
    {
        var scene = MartinMoyce(16) with { Duration = 0.15 };
        var result = new SphSimulation(scene).Run(Devices.CpuBatch);
        Assert.All(result.Frames, f => Assert.Equal(result.Fluid * 2, f.Length));
        Assert.All(result.Frames, f => Assert.All(f, v => Assert.True(float.IsFinite(v))));
        Assert.Equal(result.Fluid * scene.Density * scene.Spacing * scene.Spacing, result.Mass, 9);
        // Kinetic + gravitational (an incompressible fluid stores none): the pressure solves and viscosity may only take some away.
        Assert.True(result.Energy.Max() <= result.Energy[0] * (1 + 1e-3), $"energy grew from {result.Energy[0]} to {result.Energy.Max()}");
        Assert.True(result.Energy[^1] < result.Energy[0]);
        // Incompressible within the solver's tolerance: the densest particle is compressed well under the 3% WCSPH allows.
        Assert.InRange(result.MaxDensityRatio, 1.0, 1.01);
    }

    [Fact]
    public void TheSolvesReachTheirTolerancesAndTheStepComesFromTheCfl()
    {
        // Frames 4 ms apart, so that the CFL limit, not the frame interval, sets most steps.
        var scene = MartinMoyce(20) with { Duration = 0.15, OutputInterval = 0.004 };
        var result = new SphSimulation(scene).Run(Devices.CpuBatch);
        var solver = Assert.IsType<DfsphStatistics>(result.Dfsph);
        Assert.Equal(result.Steps, solver.Steps);
        Assert.All(solver.DensityError, e => Assert.True(e <= scene.DensityTolerance, $"density error {e:E2} above {scene.DensityTolerance:E1}"));
        Assert.All(solver.DivergenceError, e => Assert.True(e <= scene.DivergenceTolerance, $"divergence error {e:E2} above {scene.DivergenceTolerance:E1}"));
        Assert.Equal(0, solver.DensityUnconverged + solver.DivergenceUnconverged);
        // Warm started from the last step's pressure, the solves need tens of iterations at most (17 here, at steps of
        // about 25 acoustic ones and a 0.01% tolerance), not hundreds.
        Assert.InRange(solver.DensityIterations.Average(), 2, 30);
        Assert.InRange(solver.DivergenceIterations.Average(), 1, 5);
        // Steps follow the flow: capped by the frame interval while the column is slow, then λ·dx/max|v|; far longer
        // than the acoustic step of the weakly compressible scheme.
        Assert.True(solver.Dt.Average() > 15 * scene.Step, $"mean step {solver.Dt.Average():E2} s against the WCSPH step {scene.Step:E2} s");
        Assert.True(solver.Dt.Min() < 0.9 * solver.Dt.Max(), "the step never adapted");
        Assert.All(solver.Dt, dt => Assert.True(dt <= scene.DfsphMaxStep * (1 + 1e-12)));
        // Frames land exactly on a fixed output interval, as datasets need.
        Assert.Equal(scene.OutputInterval, result.OutputDt);
        for (var f = 0; f < result.Times.Length; f++) Assert.Equal(f * result.OutputDt, result.Times[f], 12);
        Assert.True(result.Times[^1] >= scene.Duration);
    }

    [Fact]
    public void TwoRunsAndBothLaunchersGiveTheSameBits()
    {
        var scene = MartinMoyce(16) with { Duration = 0.05 };
        var a = new SphSimulation(scene).Run(Devices.CpuBatch);
        var b = new SphSimulation(scene).Run(Devices.CpuBatch);
        var ilgpu = new DfsphSimulation(scene) { LaunchThroughIlgpu = true }.Run(Devices.CpuBatch);
        foreach (var other in new[] { b, ilgpu })
        {
            Assert.Equal(a.Frames.Length, other.Frames.Length);
            for (var f = 0; f < a.Frames.Length; f++) Assert.Equal(a.Frames[f], other.Frames[f]);
            Assert.Equal(a.Dfsph!.Dt, other.Dfsph!.Dt);
            Assert.Equal(a.Dfsph.DensityIterations, other.Dfsph.DensityIterations);
        }
    }

    [Fact]
    public void ASmallThreeDimensionalDamBreakStaysStable()
    {
        var scene = new SphScene
        {
            Dimensions = 3,
            Box = [0.8, 0.6, 0.32],
            Blocks = [new FluidBlock([0, 0, 0], [0.32, 0.32, 0.32], [0, 0, 0])],
            Spacing = 0.04,
            Duration = 0.4,
            Scheme = SphScheme.Dfsph,
            OutputInterval = 0.02,
        };
        var result = new SphSimulation(scene).Run(Devices.CpuBatch);
        Assert.Equal(512, result.Fluid);
        Assert.All(result.Frames, f => Assert.All(f, v => Assert.True(float.IsFinite(v))));
        Assert.True(result.Energy.Max() <= result.Energy[0] * (1 + 1e-3), $"energy grew from {result.Energy[0]} to {result.Energy.Max()}");
        Assert.True(result.FrontX[^1] > 0.5, $"the front only reached {result.FrontX[^1]} m");
        Assert.Equal(0, result.Dfsph!.DensityUnconverged);
        Assert.InRange(result.MaxDensityRatio, 1.0, 1.02);
    }

    [Fact]
    public void DfsphSkipsTheAcousticLimitButKeepsTheViscousOne()
    {
        var scene = MartinMoyce(20) with { TimeStep = 1e-3 };
        Assert.Empty(scene.Problems());
        Assert.Contains("exceeds the stable limit", Assert.Single((scene with { Scheme = SphScheme.Wcsph }).Problems()));
        var viscous = MartinMoyce(20) with { Viscosity = 0.5 };
        Assert.Contains(viscous.Problems(), p => p.Contains("viscosity", StringComparison.Ordinal));
    }

    [Fact]
    public void ARecipeChoosesTheSchemeAndKeepsItsFrameInterval()
    {
        using var ws = new Workspace();
        ws.CopyRecipe("dam-break");
        var built = ws.BuildWith(new Execution.BuildOptions { Jobs = 2, KeepGoing = true }, "ci.yaml", "stages.train.steps=1", "parameters.samples=1",
            "stages.simulate.duration=0.1", "stages.simulate.scheme=dfsph");
        Assert.Equal(1, built.Summary.Stages[StageNames.Simulate].Executed);
        var simulate = Path.Combine(ws.OutDir, "dam-break-ci", "samples", "000000", "simulate");
        var metadata = JsonNode.Parse(File.ReadAllText(Path.Combine(simulate, "metadata.json")))!;
        // The frame interval wcsph would write: output_every (100) acoustic steps of the ci box.
        var wcsph = new SphScene { Dimensions = 2, Box = [0.8, 0.4], Blocks = [], Spacing = 0.02, Duration = 0.1, OutputEvery = 100 };
        Assert.Equal(wcsph.FrameInterval, metadata["dt"]!.GetValue<double>(), 12);
        var times = File.ReadAllLines(Path.Combine(simulate, "front.csv")).Skip(1).Select(l => double.Parse(l.Split(',')[0], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(metadata["frames"]!.GetValue<int>(), times.Length);
        for (var f = 0; f < times.Length; f++) Assert.Equal(f * wcsph.FrameInterval, times[f], 12);
    }
}
