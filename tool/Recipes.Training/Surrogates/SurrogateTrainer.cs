using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plotting.Imaging;
using Recipes.Plotting.Plots;
using Recipes.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Recipes.Training.Surrogates;

/// <summary>
/// <c>train: { model: resnet-unet }</c>: the reference heat-diffusion surrogate, trained with MAE loss and Adam whose
/// learning rate decays by a factor every fixed number of optimizer steps (staircase). Epoch e trains on the first
/// <c>shards_per_epoch·(e+1)</c> shards (all by default), waiting for them when training online, so the weights do
/// not depend on how fast the simulations ran. Deterministic on CPU for a seed and <c>torch_threads</c>; the first non-finite loss stops it.
/// </summary>
public sealed class SurrogateTrainer : TorchStagePlugin, IResumableTrainer
{
    public override string Name => "resnet-unet";
    public override string Stage => StageNames.Train;
    public override int Version => 4;
    public override bool UsesSeed => true;
    public override string Summary => "ResNet encoder/decoder surrogate (SELU, BatchNorm, spatial dropout, symmetric skips), MAE, Adam with staircase decay.";

    private static readonly Setting<int> Depth = Settings.Int("depth", "Encoder levels, each halving the size and doubling the channels (at most log2(size) - 0; 6 for 64^2).", 4, min: 1, max: 10);
    private static readonly Setting<int> Width = Settings.Int("width", "Channel multiplier: level k has width*2^k channels (1 gives the reference's 2, 4, 8, 16).", 1, min: 1, max: 64);
    private static readonly Setting<double> Dropout = Settings.Number("dropout", "Spatial dropout probability after every block.", 0.4, min: 0, max: 0.95);
    private static readonly Setting<int> Epochs = Settings.Int("epochs", "Passes over the training split.", 40, min: 1);
    private static readonly Setting<int> BatchSize = Settings.Int("batch", "Pairs per optimizer step.", 50, min: 1);
    private static readonly Setting<double> LearningRate = Settings.Number("learning_rate", "Adam's initial learning rate.", 0.01, min: 0);
    private static readonly Setting<double> LrDecay = Settings.Number("lr_decay", "Learning-rate factor applied every lr_decay_steps optimizer steps (staircase).", 0.9, min: 0, max: 1);
    private static readonly Setting<int> LrDecaySteps = Settings.Int("lr_decay_steps", "Optimizer steps between learning-rate decays.", 80, min: 1);
    private static readonly Setting<int> CheckpointEvery = Settings.Int("checkpoint_every", "Save a snapshot every this many epochs (0: none).", 10, min: 0);
    private static readonly Setting<int> ShardsPerEpoch = Settings.Int("shards_per_epoch", "Epoch e trains on the first shards_per_epoch*(e+1) shards (0: all shards every epoch).", 0, min: 0);

    protected override IReadOnlyList<OptionSpec> StageOptions { get; } =
        [Depth, Width, Dropout, Epochs, BatchSize, LearningRate, LrDecay, LrDecaySteps, CheckpointEvery, ShardsPerEpoch];

    protected override Task RunTorchAsync(PluginContext context, CancellationToken cancellationToken) => Train(context, cancellationToken);

    /// <summary>The staircase counts optimizer steps and each epoch's shards are fixed by its number: a run is a prefix of a longer one.</summary>
    public string LengthSetting => Epochs.Name;

    public string? WhyNotResumable(ValueMap settings) => settings.GetBool("online", false)
        ? "online training starts before its shards exist, so before its checkpoints can be looked up (online: false resumes)"
        : null;

    private const string Snapshots = "checkpoints";

    private static async Task Train(PluginContext context, CancellationToken cancellationToken)
    {
        var s = context.Settings;
        var depth = Depth.Read(s);
        var width = Width.Read(s);
        var epochs = Epochs.Read(s);
        var batch = BatchSize.Read(s);
        var checkpointEvery = CheckpointEvery.Read(s);
        var shardsPerEpoch = ShardsPerEpoch.Read(s);
        var feed = context.Feed ?? throw new PluginException("the trainer needs its dataset shards");
        var shuffle = new SeededRandom(context.Seed);

        using var model = new ResNetUNet(depth, width, Dropout.Read(s));
        using var optimizer = new AdamOptimizer(model.parameters(), LearningRate.Read(s));
        var (decaySteps, decay) = (LrDecaySteps.Read(s), LrDecay.Read(s));

        var loaded = 0;
        var inputs = new List<float>();
        var targets = new List<float>();
        var size = 0;
        var losses = new JsonArray();
        var steps = 0;
        var firstEpoch = 0;
        if (TrainingCheckpoint.Load(context.Checkpoints, epochs, context.Log) is { } resumed)
        {
            resumed.Restore("model.", model);
            optimizer.RestoreFrom(resumed, "adam.");
            optimizer.LearningRate = resumed.State["learning_rate"]!.GetValue<double>();
            resumed.RestoreTorchGenerator();
            shuffle.State = resumed.State["random"]!.GetValue<ulong>();
            steps = resumed.State["steps"]!.GetValue<int>();
            losses = (JsonArray)resumed.State["losses"]!.DeepClone();
            firstEpoch = (int)resumed.Step;
            // The snapshots the run wrote so far are outputs of this one too; the shards are read again below, in order.
            var saved = Path.Combine(resumed.Directory, Snapshots);
            if (Directory.Exists(saved))
                foreach (var file in Directory.EnumerateFiles(saved)) File.Copy(file, context.OutputPath($"{Snapshots}/{Path.GetFileName(file)}"));
            if (checkpointEvery > 0 && firstEpoch % checkpointEvery == 0 && firstEpoch < epochs && !File.Exists(Path.Combine(context.OutputDirectory, Snapshots, SnapshotName(firstEpoch))))
                model.save_safetensors(context.OutputPath($"{Snapshots}/{SnapshotName(firstEpoch)}"));
            context.Log.WriteLine($"resuming from epoch {firstEpoch} (a checkpoint of a run with the same settings and inputs)");
        }
        void Save(int completed)
        {
            if (context.Checkpoints is null) return;
            var checkpoint = new TrainingCheckpoint.Builder(completed).Add("model.", model).AddTorchGenerator();
            optimizer.SaveTo(checkpoint, "adam.");
            checkpoint.State["learning_rate"] = optimizer.LearningRate;
            checkpoint.State["random"] = shuffle.State;
            checkpoint.State["steps"] = steps;
            checkpoint.State["losses"] = losses.DeepClone();
            var written = Path.Combine(context.OutputDirectory, Snapshots);
            if (Directory.Exists(written))
                foreach (var file in Directory.EnumerateFiles(written)) checkpoint.Files.Add(($"{Snapshots}/{Path.GetFileName(file)}", file));
            checkpoint.SaveTo(context.Checkpoints);
        }
        // Epoch e trains on the first visible(e) shards, read in order (again, after a resumption, from the first).
        async Task LoadThrough(int epoch)
        {
            var visible = shardsPerEpoch == 0 ? feed.Count : Math.Min(feed.Count, shardsPerEpoch * (epoch + 1));
            for (; loaded < visible; loaded++)
            {
                var shard = await feed.WaitAsync(loaded, cancellationToken);
                var pairs = FieldPairs.Read(shard, "train");
                if (pairs.Count == 0) continue;
                if (size == 0)
                {
                    size = pairs.Size;
                    if (size >> depth < 1 || size % (1 << depth) != 0)
                        throw new PluginException($"depth {depth} needs a field size divisible by 2^{depth}; the fields are {size}x{size} (use depth <= {MaxDepth(size)})");
                }
                inputs.AddRange(pairs.Inputs);
                targets.AddRange(pairs.Targets);
            }
        }
        for (var epoch = firstEpoch; epoch < epochs; epoch++)
        {
            await LoadThrough(epoch);
            var count = size == 0 ? 0 : inputs.Count / (size * size);
            if (count == 0) throw new PluginException("the training split is empty; add samples or raise split.train");
            var order = Enumerable.Range(0, count).ToArray();
            for (var i = count - 1; i > 0; i--)
            {
                var j = (int)(shuffle.NextBits() % (ulong)(i + 1));
                (order[i], order[j]) = (order[j], order[i]);
            }

            model.train();
            double sum = 0;
            var batches = 0;
            for (var start = 0; start < count; start += batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                var take = Math.Min(batch, count - start);
                var (x, y) = Batch(inputs, targets, order.AsSpan(start, take), size);
                optimizer.ZeroGrad();
                var loss = nn.functional.l1_loss(model.call(x), y);
                loss.backward();
                optimizer.Step();
                var value = loss.item<float>();
                Divergence.Check(context, value, steps + 1, LearningRate.Name);
                sum += value;
                batches++;
                steps++;
                // Staircase decay, multiplied in as it comes (as StepLR does), so the rate is the same to the last bit.
                if (steps % decaySteps == 0) optimizer.LearningRate *= decay;
            }
            var mean = sum / batches;
            losses.Add(new JsonObject { ["epoch"] = epoch + 1, ["loss"] = mean, ["pairs"] = count, ["shards"] = loaded });
            context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1}/{epochs}: MAE {mean:0.000000} over {count} pairs from {loaded} shards"));
            context.Progress?.Report((epoch + 1.0) / epochs);
            if (checkpointEvery > 0 && (epoch + 1) % checkpointEvery == 0 && epoch + 1 < epochs)
            {
                Divergence.CheckWeights(context, model, LearningRate.Name);
                model.save_safetensors(context.OutputPath($"{Snapshots}/{SnapshotName(epoch + 1)}"));
            }
            if (epoch + 1 < epochs && context.Checkpoints?.Due() == true)
            {
                Divergence.CheckWeights(context, model, LearningRate.Name);
                Save(epoch + 1);
            }
        }
        // The state before the normalization statistics are recalibrated: what a longer run continues from.
        Divergence.CheckWeights(context, model, LearningRate.Name);
        Save(epochs);
        await LoadThrough(epochs - 1);

        var finalCount = inputs.Count / Math.Max(1, size * size);
        RecalibrateBatchNorm(model, inputs, targets, finalCount, size, batch);
        Divergence.CheckWeights(context, model, LearningRate.Name);
        model.save_safetensors(context.OutputPath("model.safetensors"));
        model.save(context.OutputPath("model.dat"));
        await ModelFile.WriteAsync(context.OutputPath(ModelFile.Name), new ResNetUNetDescription("resnet-unet", depth, width, Dropout.Read(s), size, epochs, steps), cancellationToken);
        await File.WriteAllTextAsync(context.OutputPath("loss.json"), losses.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", cancellationToken);
        new LineChart("Training loss", "epoch", "MAE (normalized field)", logY: true, integerX: true)
            .Add("train MAE", losses.Select(l => ((double)l!["epoch"]!.GetValue<int>(), l["loss"]!.GetValue<double>())))
            .SavePng(context.OutputPath("loss.png"));
        context.Metrics["final_loss"] = losses[^1]!["loss"]!.GetValue<double>();
        context.Metrics["first_loss"] = losses[0]!["loss"]!.GetValue<double>();
        context.Metrics["steps"] = steps;
        context.Metrics["train_pairs"] = inputs.Count / Math.Max(1, size * size);
    }

    /// <summary>
    /// Replaces BatchNorm's running statistics, an exponential average over the last few batches of a still-moving
    /// network, with the exact population statistics of the final weights over the training pairs (dropout off), so
    /// that evaluation sees the same normalization training converged to.
    /// </summary>
    public static void RecalibrateBatchNorm(ResNetUNet model, List<float> inputs, List<float> targets, int count, int size, int batch)
    {
        var norms = model.modules().OfType<TorchSharp.Modules.BatchNorm>().ToList();
        foreach (var norm in norms)
        {
            norm.reset_running_stats();
            norm.momentum = null;
        }
        model.train();
        foreach (var dropout in model.modules().OfType<TorchSharp.Modules.Dropout2d>()) dropout.eval();
        using (torch.no_grad())
        {
            var rows = Enumerable.Range(0, count).ToArray();
            for (var start = 0; start < count; start += batch)
            {
                using var scope = torch.NewDisposeScope();
                var (x, _) = Batch(inputs, targets, rows.AsSpan(start, Math.Min(batch, count - start)), size);
                model.call(x);
            }
        }
        foreach (var norm in norms) norm.momentum = 0.1;
        model.eval();
    }

    private static string SnapshotName(int epoch) => $"epoch-{epoch:D3}.safetensors";

    public static int MaxDepth(int size)
    {
        var depth = 0;
        while (size % 2 == 0 && size > 1)
        {
            size /= 2;
            depth++;
        }
        return depth;
    }

    public static (Tensor X, Tensor Y) Batch(List<float> inputs, List<float> targets, ReadOnlySpan<int> rows, int size)
    {
        var cells = size * size;
        var x = new float[rows.Length * cells];
        var y = new float[rows.Length * cells];
        var inputSpan = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(inputs);
        var targetSpan = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(targets);
        for (var b = 0; b < rows.Length; b++)
        {
            inputSpan.Slice(rows[b] * cells, cells).CopyTo(x.AsSpan(b * cells));
            targetSpan.Slice(rows[b] * cells, cells).CopyTo(y.AsSpan(b * cells));
        }
        long[] shape = [rows.Length, 1, size, size];
        return (torch.tensor(x, shape), torch.tensor(y, shape));
    }
}
