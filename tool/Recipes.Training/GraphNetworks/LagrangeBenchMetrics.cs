namespace Recipes.Training.GraphNetworks;

/// <summary>
/// The figures LagrangeBench (Toshev et al. 2023; lagrangebench/evaluate/metrics.py) publishes, computed as its
/// evaluation does so that a reader can set ours beside its tables:
/// <list type="bullet">
/// <item>MSE5 and MSE20: each test trajectory is cut into windows of <see cref="InputFrames"/> + <see cref="Horizon"/>
/// frames (its <c>get_trajectory</c> with <c>extra_seq_length</c> = 20); from each window's first six true frames the
/// predictor rolls 20 steps; a step's MSE is the mean over particles and axes of the squared position error; MSE5 and
/// MSE20 are the means over the first 5 and 20 steps, averaged over all windows of the split.</item>
/// <item>Sinkhorn: the Sinkhorn divergence S(x, y) − ½(S(x, x) + S(y, y)), clipped at 0, between the predicted and the
/// true particle clouds every <see cref="Stride"/>th frame of the whole rollout, with uniform weights, the squared
/// Euclidean distance as cost and entropic regularization <see cref="Regularization"/>, S being the transport cost of
/// the regularized plan (its POT backend's settings: reg 0.1, at most 500 iterations, tolerance 1e-5 checked every 10th;
/// iterated in the log domain as its ott-jax backend does).</item>
/// <item>Kinetic-energy error: E(t) = dx^dim · Σ_i |v_i|² with v = (x_{t+1} − x_t)/Δt at every 10th frame of the
/// whole rollout, for the prediction and the truth; the figure is the mean squared difference.</item>
/// </list>
/// Ours differ: our rollout MSE is over whole trajectories (120 steps on the default recipe) rather than 20-step windows.
/// </summary>
public static class LagrangeBenchMetrics
{
    /// <summary>Input frames of every window (LagrangeBench's <c>input_seq_length</c>), the model's history + 1.</summary>
    public const int InputFrames = GnsFeatures.History + 1;

    /// <summary>Steps rolled from each window (its <c>extra_seq_length</c> at evaluation).</summary>
    public const int Horizon = 20;

    /// <summary>Frames between the clouds compared by Sinkhorn and the kinetic energy (its <c>stride</c>).</summary>
    public const int Stride = 10;

    /// <summary>The entropic regularization of the Sinkhorn iterations (its POT backend's <c>reg</c>).</summary>
    public const double Regularization = 0.1;

    /// <summary>The windows of <paramref name="trajectory"/>: consecutive, non-overlapping, <see cref="InputFrames"/> + <see cref="Horizon"/> frames each.</summary>
    public static IEnumerable<Trajectory> Windows(Trajectory trajectory)
    {
        const int length = InputFrames + Horizon;
        var size = trajectory.Particles * trajectory.Dim;
        for (var n = 0; n < trajectory.Steps / length; n++)
            yield return trajectory with
            {
                Id = $"{trajectory.Id}#{n}",
                Steps = length,
                Positions = trajectory.Positions.AsSpan(n * length * size, length * size).ToArray(),
            };
    }

    /// <summary>MSE per predicted step of a window's rollout (frames after the six given), mean over particles and axes.</summary>
    public static double[] StepMse(float[] rollout, Trajectory truth)
    {
        var size = truth.Particles * truth.Dim;
        var steps = new double[truth.Steps - InputFrames];
        for (var h = 0; h < steps.Length; h++)
        {
            var t = InputFrames + h;
            double squared = 0;
            for (var k = 0; k < size; k++) squared += Math.Pow((double)rollout[t * size + k] - truth.Positions[t * size + k], 2);
            steps[h] = squared / size;
        }
        return steps;
    }

    /// <summary>The mean over the first <paramref name="steps"/> entries of <paramref name="stepMse"/>.</summary>
    public static double Mean(double[] stepMse, int steps) => stepMse.Take(steps).Average();

    /// <summary>
    /// The mean Sinkhorn divergence between the predicted and the true cloud at every <see cref="Stride"/>th predicted
    /// frame of a whole-trajectory rollout whose first <paramref name="given"/> + 1 frames are the truth.
    /// </summary>
    /// <param name="particles">At most this many particles per cloud (every k-th, the same ones in both clouds); null:
    /// all. Each iteration costs the product of the clouds' sizes, so LagrangeBench's 5,000-particle dam break takes
    /// minutes per frame in full.</param>
    public static double Sinkhorn(float[] rollout, Trajectory truth, int given, int? particles = null)
    {
        var size = truth.Particles * truth.Dim;
        var every = particles is { } most ? (truth.Particles + most - 1) / most : 1;
        var values = new List<double>();
        for (var t = given + 1; t < truth.Steps; t += Stride)
            values.Add(SinkhornDivergence(Thin(rollout.AsSpan(t * size, size), truth.Dim, every), Thin(truth.At(t), truth.Dim, every), truth.Dim));
        return values.Count == 0 ? 0 : values.Average();
    }

    /// <summary>Every <paramref name="every"/>-th particle of a flattened cloud.</summary>
    public static float[] Thin(ReadOnlySpan<float> cloud, int dim, int every)
    {
        if (every <= 1) return cloud.ToArray();
        var count = (cloud.Length / dim + every - 1) / every;
        var result = new float[count * dim];
        for (var i = 0; i < count; i++) cloud.Slice(i * every * dim, dim).CopyTo(result.AsSpan(i * dim, dim));
        return result;
    }

    /// <summary>S(x, y) − ½(S(x, x) + S(y, y)), clipped at 0; x and y are clouds of equal dimension, flattened.</summary>
    public static double SinkhornDivergence(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int dim) =>
        Math.Max(0, Cost(x, y, dim) - 0.5 * (Cost(x, x, dim) + Cost(y, y, dim)));

    /// <summary>
    /// The transport cost Σ P_ij M_ij of the entropically regularized plan between two uniformly weighted clouds. The
    /// Sinkhorn iterations run on the dual potentials in the log domain (as ott-jax, LagrangeBench's default backend,
    /// runs them): the same plan as the scaling form, but a particle far from every other (a rollout that left the box)
    /// no longer underflows exp(−M/ε) to 0 and turns the whole figure into NaN.
    /// </summary>
    private static double Cost(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int dim)
    {
        var n = x.Length / dim;
        var m = y.Length / dim;
        var cost = new double[n * m];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < m; j++)
            {
                double squared = 0;
                for (var d = 0; d < dim; d++) squared += Math.Pow((double)x[i * dim + d] - y[j * dim + d], 2);
                cost[i * m + j] = squared;
            }
        const double eps = Regularization;
        var (logA, logB) = (Math.Log(1.0 / n), Math.Log(1.0 / m));
        var f = new double[n];
        var g = new double[m];
        var column = new double[n];
        // g_j = ε log b_j − ε LSE_i((f_i − M_ij)/ε); then f_i likewise over j.
        void UpdateG()
        {
            for (var j = 0; j < m; j++)
            {
                for (var i = 0; i < n; i++) column[i] = (f[i] - cost[i * m + j]) / eps;
                g[j] = eps * (logB - LogSumExp(column));
            }
        }
        void UpdateF()
        {
            for (var i = 0; i < n; i++)
            {
                var row = new ReadOnlySpan<double>(cost, i * m, m);
                var max = double.NegativeInfinity;
                for (var j = 0; j < m; j++) max = Math.Max(max, (g[j] - row[j]) / eps);
                double sum = 0;
                for (var j = 0; j < m; j++) sum += Math.Exp((g[j] - row[j]) / eps - max);
                f[i] = eps * (logA - (max + Math.Log(sum)));
            }
        }
        for (var iteration = 0; iteration < 500; iteration++)
        {
            UpdateG();
            UpdateF();
            // POT's stopping rule, checked as POT checks it, every 10th iteration: the column marginal's error after
            // the row update (each check costs as much as an iteration).
            if (iteration % 10 != 9) continue;
            double error = 0;
            for (var j = 0; j < m; j++)
            {
                double mass = 0;
                for (var i = 0; i < n; i++) mass += Math.Exp((f[i] + g[j] - cost[i * m + j]) / eps);
                error += Math.Abs(mass - 1.0 / m);
            }
            if (error < 1e-5) break;
        }
        double total = 0;
        for (var i = 0; i < n; i++)
            for (var j = 0; j < m; j++) total += Math.Exp((f[i] + g[j] - cost[i * m + j]) / eps) * cost[i * m + j];
        return total;
    }

    private static double LogSumExp(ReadOnlySpan<double> values)
    {
        var max = double.NegativeInfinity;
        foreach (var v in values) max = Math.Max(max, v);
        if (double.IsNegativeInfinity(max)) return max;
        double sum = 0;
        foreach (var v in values) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }

    /// <summary>
    /// The mean squared difference of the kinetic energy dx^dim · Σ|v|² (v = (x_{t+1} − x_t)/Δt) between the prediction
    /// and the truth at every <see cref="Stride"/>th predicted frame of a whole-trajectory rollout. Without a known
    /// particle spacing (<paramref name="dx"/> null) the factor dx^dim is left out.
    /// </summary>
    public static double KineticEnergyMse(float[] rollout, Trajectory truth, int given, double dt, double? dx)
    {
        var dim = truth.Dim;
        var size = truth.Particles * dim;
        var scale = dx is { } spacing ? Math.Pow(spacing, dim) : 1.0;
        double Energy(ReadOnlySpan<float> now, ReadOnlySpan<float> next)
        {
            double sum = 0;
            for (var k = 0; k < size; k++) sum += Math.Pow(((double)next[k] - now[k]) / dt, 2);
            return sum * scale;
        }
        var squared = new List<double>();
        for (var t = given + 1; t + 1 < truth.Steps; t += Stride)
        {
            var predicted = Energy(rollout.AsSpan(t * size, size), rollout.AsSpan((t + 1) * size, size));
            var actual = Energy(truth.At(t), truth.At(t + 1));
            squared.Add(Math.Pow(predicted - actual, 2));
        }
        return squared.Count == 0 ? 0 : squared.Average();
    }
}
