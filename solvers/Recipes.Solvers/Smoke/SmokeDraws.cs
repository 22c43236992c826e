using System.Text.Json.Nodes;
using Recipes.Plugins;

namespace Recipes.Solvers.Smoke;

/// <summary>
/// The random values of a smoke sample: the source's per-cell strength (from <see cref="SmokeScene.SourceSeed"/>) and
/// the force field's Fourier modes (from <see cref="SmokeScene.ForceSeed"/>). The simulation takes them from here and
/// <c>draws.json</c> records them from here, so what is recorded is what was simulated.
/// </summary>
public static class SmokeDraws
{
    /// <summary>Modes of the random force field.</summary>
    public const int ForceModeCount = 4;

    /// <summary>The source strength of every cell, row-major from the bottom, uniform in [0.6, 1) (the kernels use it as float).</summary>
    public static double[] SourceNoise(ulong seed, int cells)
    {
        var random = new SeededRandom(seed);
        var noise = new double[cells];
        for (var c = 0; c < cells; c++) noise[c] = random.Uniform(0.6, 1.0);
        return noise;
    }

    /// <summary>The force field's modes: wave numbers in 1–3, phase in [0, 2π), amplitudes in [-1, 1), in the order drawn.</summary>
    public static IReadOnlyList<(int Kx, int Ky, double Phase, double Ax, double Ay)> ForceModes(ulong seed)
    {
        var random = new SeededRandom(seed);
        var modes = new List<(int, int, double, double, double)>(ForceModeCount);
        for (var mode = 0; mode < ForceModeCount; mode++)
        {
            // One statement per draw: the order is the sequence's, and so the field's.
            var kx = random.Int(1, 3);
            var ky = random.Int(1, 3);
            var phase = random.Uniform(0, 2 * Math.PI);
            var ax = random.Uniform(-1, 1);
            var ay = random.Uniform(-1, 1);
            modes.Add((kx, ky, phase, ax, ay));
        }
        return modes;
    }

    /// <summary>
    /// Whether cell (i, j) of an n-grid may take the source: within the source radius plus one cell of its centre. The
    /// kernel's own test is in float arithmetic on the device; the margin keeps every cell it could pick in the record.
    /// </summary>
    private static bool NearSource(SmokeScene scene, int i, int j)
    {
        var h = 1.0 / scene.Size;
        var dx = (i + 0.5) * h - scene.SourceX;
        var dy = (j + 0.5) * h - scene.SourceY;
        var reach = scene.SourceRadius + h;
        return dx * dx + dy * dy <= reach * reach;
    }

    /// <summary>
    /// The draws record: both seeds (exact integers); <c>source</c>, the strengths of the block of cells around the
    /// source disk (every cell the source can set, row-major from the bottom: cell (i0 + c, j0 + r) at r·columns + c),
    /// absent without a source; <c>force_modes</c> in the order drawn, absent when the force strength is 0 (the field is
    /// then not drawn). The rest of the strength field is drawn but never used, so it is left out: a 256² grid records
    /// 1,806 cells (the default source), not 65,536.
    /// </summary>
    public static JsonObject Record(SmokeScene scene)
    {
        var n = scene.Size;
        var record = new JsonObject
        {
            ["source_seed"] = scene.SourceSeed,
            ["force_seed"] = scene.ForceSeed,
        };
        var near = Enumerable.Range(0, n * n).Where(c => scene.SourceRadius > 0 && NearSource(scene, c % n, c / n)).ToList();
        if (near.Count > 0)
        {
            var noise = SourceNoise(scene.SourceSeed, n * n);
            var (i0, i1) = (near.Min(c => c % n), near.Max(c => c % n));
            var (j0, j1) = (near.Min(c => c / n), near.Max(c => c / n));
            var strength = new JsonArray();
            for (var j = j0; j <= j1; j++)
                for (var i = i0; i <= i1; i++) strength.Add(noise[j * n + i]);
            record["source"] = new JsonObject
            {
                ["i0"] = i0,
                ["j0"] = j0,
                ["columns"] = i1 - i0 + 1,
                ["rows"] = j1 - j0 + 1,
                ["strength"] = strength,
            };
        }
        if (scene.ForceStrength != 0)
        {
            record["force_modes"] = new JsonArray(ForceModes(scene.ForceSeed)
                .Select(m => (JsonNode?)new JsonObject { ["kx"] = m.Kx, ["ky"] = m.Ky, ["phase"] = m.Phase, ["ax"] = m.Ax, ["ay"] = m.Ay }).ToArray());
        }
        return record;
    }
}
