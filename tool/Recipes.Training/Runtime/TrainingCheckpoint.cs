using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recipes.Plugins;
using Recipes.Plugins.Formats;
using TorchSharp;
using static TorchSharp.torch;

namespace Recipes.Training;

/// <summary>
/// A trainer's whole state at a step, as the engine's checkpoint store keeps it (<see cref="ITrainingCheckpoints"/>):
/// tensors by name in <c>state.safetensors</c> (weights and buffers, optimizer moments, averaged weights, libtorch's
/// random generator, the losses so far) as their exact bytes, and the rest in <c>state.json</c> (step, the seeded
/// generator's state, counters). Restoring copies the bytes back, so a run continued from here computes what the
/// uninterrupted run computed.
/// </summary>
public sealed class TrainingCheckpoint
{
    public const string TensorsFile = "state.safetensors";
    public const string StateFile = "state.json";

    private readonly Dictionary<string, SafeTensorsFile.Tensor> _tensors;

    private TrainingCheckpoint(long step, Dictionary<string, SafeTensorsFile.Tensor> tensors, JsonObject state, string directory)
    {
        Step = step;
        _tensors = tensors;
        State = state;
        Directory = directory;
    }

    public long Step { get; }
    public JsonObject State { get; }

    /// <summary>Where the checkpoint's files are (read-only): a trainer may keep extra files here, e.g. outputs written so far.</summary>
    public string Directory { get; }

    /// <summary>The latest checkpoint at or before <paramref name="maxStep"/>, or null (no store, none saved, or one that cannot be read).</summary>
    public static TrainingCheckpoint? Load(ITrainingCheckpoints? store, long maxStep, TextWriter log)
    {
        if (store?.Latest(maxStep) is not { } saved) return null;
        try
        {
            var tensors = SafeTensorsFile.Read(Path.Combine(saved.Directory, TensorsFile));
            var state = JsonNode.Parse(File.ReadAllText(Path.Combine(saved.Directory, StateFile))) as JsonObject
                ?? throw new InvalidDataException("state.json is not an object");
            if (state["step"]?.GetValue<long>() != saved.Step) throw new InvalidDataException("state.json names another step");
            return new TrainingCheckpoint(saved.Step, tensors, state, saved.Directory);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            // A damaged checkpoint costs the steps it held, never a wrong result: train from the start.
            log.WriteLine($"checkpoint at step {saved.Step} is unreadable ({e.Message}); training from step 0");
            return null;
        }
    }

    public bool Has(string name) => _tensors.ContainsKey(name);

    /// <summary>Copies the saved tensor into <paramref name="target"/> (same shape and type), in place, without recording gradients.</summary>
    public void CopyInto(string name, Tensor target)
    {
        if (!_tensors.TryGetValue(name, out var saved)) throw new InvalidDataException($"checkpoint lacks tensor {name}");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var shape = saved.Shape.Select(s => (long)s).ToArray();
        if (!shape.SequenceEqual(target.shape)) throw new InvalidDataException($"checkpoint tensor {name} has shape [{string.Join(",", shape)}], the model [{string.Join(",", target.shape)}]");
        var source = saved.DType switch
        {
            "F32" => tensor(MemoryMarshal.Cast<byte, float>(saved.Data).ToArray(), shape),
            "F64" => tensor(MemoryMarshal.Cast<byte, double>(saved.Data).ToArray(), shape),
            "I64" => tensor(MemoryMarshal.Cast<byte, long>(saved.Data).ToArray(), shape),
            "U8" => tensor(saved.Data, shape),
            _ => throw new InvalidDataException($"checkpoint tensor {name} has type {saved.DType}"),
        };
        target.copy_(source);
    }

    /// <summary>Every parameter and buffer of <paramref name="module"/> (its state dict) under <paramref name="prefix"/>.</summary>
    public void Restore(string prefix, nn.Module module)
    {
        foreach (var (name, value) in module.state_dict()) CopyInto(prefix + name, value);
    }

    public long[] Longs(string name) =>
        _tensors.TryGetValue(name, out var saved) && saved.DType == "I64" ? MemoryMarshal.Cast<byte, long>(saved.Data).ToArray() : throw new InvalidDataException($"checkpoint lacks {name}");

    public double[] Doubles(string name) =>
        _tensors.TryGetValue(name, out var saved) && saved.DType == "F64" ? MemoryMarshal.Cast<byte, double>(saved.Data).ToArray() : throw new InvalidDataException($"checkpoint lacks {name}");

    /// <summary>libtorch's CPU generator back where it was (dropout masks, noise drawn by randn).</summary>
    public void RestoreTorchGenerator()
    {
        if (!_tensors.TryGetValue(TorchGeneratorName, out var saved)) throw new InvalidDataException("checkpoint lacks the libtorch generator's state");
        using var state = tensor(saved.Data, [saved.Data.Length], ScalarType.Byte);
        using var generator = Generator.Default;
        generator.set_state(state);
    }

    private const string TorchGeneratorName = "torch.generator";

    /// <summary>Collects a checkpoint's contents, then writes it into a store directory and hands it over.</summary>
    public sealed class Builder(long step)
    {
        private readonly Dictionary<string, SafeTensorsFile.Tensor> _tensors = new(StringComparer.Ordinal);

        public JsonObject State { get; } = new() { ["step"] = step };

        /// <summary>Files to keep with the state (outputs written so far): name relative to the checkpoint, and source path.</summary>
        public List<(string Name, string Source)> Files { get; } = [];

        public Builder Add(string name, Tensor value)
        {
            using var scope = NewDisposeScope();
            var cpu = value.detach().cpu().contiguous();
            int[] shape = [.. cpu.shape.Select(s => (int)s)];
            _tensors[name] = cpu.dtype switch
            {
                ScalarType.Float32 => new SafeTensorsFile.Tensor("F32", shape, MemoryMarshal.AsBytes(cpu.data<float>().ToArray().AsSpan()).ToArray()),
                ScalarType.Float64 => new SafeTensorsFile.Tensor("F64", shape, MemoryMarshal.AsBytes(cpu.data<double>().ToArray().AsSpan()).ToArray()),
                ScalarType.Int64 => new SafeTensorsFile.Tensor("I64", shape, MemoryMarshal.AsBytes(cpu.data<long>().ToArray().AsSpan()).ToArray()),
                ScalarType.Byte => new SafeTensorsFile.Tensor("U8", shape, cpu.data<byte>().ToArray()),
                _ => throw new InvalidOperationException($"cannot checkpoint a {cpu.dtype} tensor ({name})"),
            };
            return this;
        }

        public Builder Add(string prefix, nn.Module module)
        {
            foreach (var (name, value) in module.state_dict()) Add(prefix + name, value);
            return this;
        }

        public Builder AddDoubles(string name, IReadOnlyList<double> values)
        {
            _tensors[name] = new SafeTensorsFile.Tensor("F64", [values.Count], MemoryMarshal.AsBytes(values.ToArray().AsSpan()).ToArray());
            return this;
        }

        public Builder AddTorchGenerator()
        {
            using var generator = Generator.Default;
            using var state = generator.get_state();
            return Add(TorchGeneratorName, state);
        }

        /// <summary>Writes the checkpoint and gives it to the store (atomically there); does nothing without a store.</summary>
        public void SaveTo(ITrainingCheckpoints? store)
        {
            if (store is null) return;
            var directory = store.NewDirectory();
            SafeTensorsFile.Write(Path.Combine(directory, TensorsFile), _tensors);
            foreach (var (name, source) in Files)
            {
                var target = Path.Combine(directory, name);
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(source, target);
            }
            File.WriteAllText(Path.Combine(directory, StateFile), State.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            store.Save(State["step"]!.GetValue<long>(), directory);
        }
    }
}
