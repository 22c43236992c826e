using System.Diagnostics;
using System.Text.Json.Nodes;
using Recipes.Cache;
using Recipes.Graph;
using Recipes.Hashing;
using Recipes.Plugins;

namespace Recipes.Execution;

/// <summary>
/// Runs one node in a fresh scratch directory inside the cache, then stores its outputs and log as blobs and its
/// action entry last — so an interrupted run leaves only scratch files, never a partial entry.
/// </summary>
public sealed class NodeRunner
{
    private const int LogTailLines = 20;
    private readonly CacheStore _cache;
    private readonly CacheLookup _lookup;
    private readonly ScratchPool _scratch;

    public NodeRunner(CacheLookup lookup)
    {
        _lookup = lookup;
        _cache = lookup.Cache;
        _scratch = new ScratchPool(_cache);
    }

    /// <summary>Removes the scratch directories kept for the next node; the engine calls it when a build ends.</summary>
    public void ReleaseScratch() => _scratch.Clear();

    /// <summary>
    /// Runs a node whose key is known (<paramref name="key"/> completed) or, for a node started before its inputs were
    /// all done, becomes known while it runs; either way the outputs are stored under that key, or dropped in favour of
    /// a cache entry that appeared meanwhile.
    /// </summary>
    public async Task<NodeResult> RunAsync(NodeJob job, CancellationToken cancellationToken)
    {
        var node = job.Node;
        var scratch = _scratch.Rent();
        var work = scratch.Work;
        var outDir = scratch.Out;
        var logPath = scratch.Log;
        var metrics = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        // Source files go into the store too, so that status can later show what a changed template looked like before.
        foreach (var file in node.Files)
            if (!_cache.Blobs.Contains(file.Hash)) _cache.Blobs.PutCopy(file.FullPath);
        try
        {
            string? error = null;
            var status = NodeStatus.Executed;
            await using (var log = new StreamWriter(logPath) { AutoFlush = true })
            {
                // A node started early reads its inputs through the feed as they arrive.
                var upstream = job.Upstream ?? [];
                var context = new PluginContext
                {
                    NodeId = node.Id,
                    Stage = node.StageName,
                    Key = job.Key.IsCompletedSuccessfully ? job.Key.Result.Hash : null,
                    Settings = node.Settings,
                    Parameters = node.Sample?.Parameters ?? ValueMap.Empty,
                    Seed = node.Seed,
                    Upstream = upstream,
                    WorkDirectory = work,
                    OutputDirectory = outDir,
                    Log = TextWriter.Synchronized(log),
                    Metrics = metrics,
                    Threads = job.Threads,
                    Device = node.Stage.Device ?? job.Device,
                    Progress = job.Progress,
                    Feed = job.Feed,
                    Checkpoints = Checkpoints(node, job),
                };
                try
                {
                    VerifyInputs(context.Upstream, node);
                    using var nativeOutput = NativeStderr.Attach(context.Log);
                    await Task.Run(() => node.Plugin.RunAsync(context, cancellationToken), cancellationToken);
                    cancellationToken.ThrowIfCancellationRequested();
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    status = NodeStatus.Cancelled;
                    error = "interrupted";
                }
                catch (PluginException e)
                {
                    status = NodeStatus.Failed;
                    error = e.Message;
                    await log.WriteLineAsync("error: " + e.Message);
                }
                catch (Exception e)
                {
                    status = NodeStatus.Failed;
                    error = $"{e.GetType().Name}: {e.Message}";
                    await log.WriteLineAsync(e.ToString());
                }
            }
            var seconds = clock.Elapsed.TotalSeconds;
            // The outputs are listed once, for the scan and for storing them.
            var produced = status == NodeStatus.Executed
                ? Directory.EnumerateFiles(outDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
                : [];
            if (status == NodeStatus.Executed && NonFiniteScan.FirstProblem(outDir, produced, metrics) is { } nonFinite)
            {
                status = NodeStatus.Failed;
                error = $"{nonFinite}; nothing was cached (a diverging training or an unstable simulation: see the log)";
                await File.AppendAllTextAsync(logPath, "error: " + error + "\n", CancellationToken.None);
                metrics.Clear();
            }
            var metricsObject = new JsonObject(metrics.Select(m => new KeyValuePair<string, JsonNode?>(m.Key, m.Value?.DeepClone())));
            if (status != NodeStatus.Executed)
                return new NodeResult(status, [], seconds, error, status == NodeStatus.Failed ? Tail(logPath) : null, metricsObject);

            ActionKey resolved;
            try
            {
                resolved = await job.Key.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return new NodeResult(NodeStatus.Cancelled, [], seconds, "interrupted", null, metricsObject);
            }
            // Another build may have stored the same key meanwhile: its entry stands.
            if (_lookup.FindLocal(resolved.Hash) is { } existing)
                return new NodeResult(NodeStatus.Cached, existing.Outputs, seconds, null, null, metricsObject);
            var outputs = new List<OutputFile>();
            foreach (var file in produced)
            {
                var name = Path.GetRelativePath(outDir, file).Replace('\\', '/');
                // The path policy holds for what a node writes as for what a cache hands out: a name with a control
                // character would be cached and then refused at every materialization.
                if (OutputPaths.Problem(name) is { } problem)
                    return new NodeResult(NodeStatus.Failed, [], seconds, $"refused {problem}; rename the output", null, metricsObject);
                if (new FileInfo(file).LinkTarget is not null)
                    return new NodeResult(NodeStatus.Failed, [], seconds, $"output '{name}' is a symbolic link; write a regular file", null, metricsObject);
                outputs.Add(_cache.Blobs.Put(name, file));
            }
            var logHash = _cache.Blobs.PutCopy(logPath);
            _cache.Actions.Put(new ActionEntry
            {
                Key = resolved.Hash,
                Node = node.Id,
                Stage = node.StageName,
                Plugin = node.Plugin.Name,
                Version = node.Plugin.Version,
                Spec = node.Spec.Text,
                Inputs = resolved.Inputs,
                Outputs = outputs,
                Log = logHash,
                Metrics = metricsObject,
                Seconds = seconds,
            });
            return new NodeResult(NodeStatus.Executed, outputs, seconds, null, null, metricsObject);
        }
        finally
        {
            _scratch.Return(scratch);
        }
    }

    /// <summary>A resumable trainer's checkpoint family, when its inputs are known and its settings allow resuming.</summary>
    private ITrainingCheckpoints? Checkpoints(GraphNode node, NodeJob job)
    {
        if (node.Plugin is not IResumableTrainer resumable || resumable.WhyNotResumable(node.Settings) is not null) return null;
        if (!job.Key.IsCompletedSuccessfully || ActionKeys.Family(node, job.Key.Result) is not { } family) return null;
        var seconds = node.Settings.GetDouble(Schema.StageSettings.CheckpointSeconds, 120);
        return _cache.Checkpoints.For(family, TimeSpan.FromSeconds(seconds), _cache.NewTempDirectory);
    }

    private static string Tail(string path)
    {
        try
        {
            var lines = File.ReadAllLines(path);
            return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - LogTailLines)));
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>A blob changed behind the cache's back must not silently feed a node; its content is checked before use.</summary>
    private void VerifyInputs(IReadOnlyList<UpstreamArtifacts> upstream, GraphNode node)
    {
        // Files from outside the cache were hashed when the graph was planned; only cached blobs are checked here.
        foreach (var artifact in upstream.Where(u => u.Stage != UpstreamArtifacts.FilesEntry).SelectMany(u => u.Files))
        {
            // A corrupt blob is quarantined, so the build's next pass rebuilds the node that made it.
            if (!_cache.Blobs.VerifyOrQuarantine(artifact.Hash, artifact.Name))
                throw new PluginException($"cached input '{artifact.Name}' ({artifact.Hash[..12]}) was missing or corrupt; quarantined, the node that made it is rebuilt");
        }
    }
}
