using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using CsCheck;
using Recipes.Cache;
using Recipes.Hashing;
using Recipes.Plugins.Files;
using Recipes.Remote;

namespace Recipes.Tests.Fuzz;

/// <summary>
/// docs/security.md, "One reading discipline" for what caches hold: local action entries, remote <c>/ac/</c> entries
/// and <c>/cas/</c> bodies, and <c>cache import</c> bundles. Whatever the bytes (edited entries, fields of other types,
/// sizes of 1e20, names leading outside, bodies cut short, longer than declared or flipped), a read is a hit whose
/// outputs pass the path policy and whose blobs match their hashes, or a miss with one-line warnings, or a refused
/// import; never an exception, and nothing written outside the cache.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class CacheEntryFuzzTests
{
    private const string Key = "0123456789abcdef0123456789abcdef";
    private static readonly byte[] BlobBytes = Nasty.Utf8("a=1 b=x\nresult 42\n");
    private static readonly string Blob = ContentHash.Of(BlobBytes);

    private static ActionEntry Entry() => new()
    {
        Key = Key, Node = "simulate/000000", Stage = "simulate", Plugin = "exec", Version = 1, Spec = "{\"command\":\"cat\"}",
        Inputs = [new("input.txt", Blob)],
        Outputs = [new OutputFile("out.txt", Blob, BlobBytes.Length), new OutputFile("dir/result.json", Blob, BlobBytes.Length)],
        Log = Blob, Metrics = new JsonObject { ["value"] = 42, ["note"] = "x" }, Seconds = 0.25,
    };

    private static readonly JsonNode EntryJson = JsonNode.Parse(ActionEntrySerializer.Serialize(Entry()))!;

    /// <summary>An entry: the valid one edited structurally, then byte by byte.</summary>
    private static readonly Gen<byte[]> Entries = Gen.Select(JsonMutation.Gen.Array[0, 4], ByteMutation.Many(3),
        (json, bytes) => ByteMutation.ApplyAll(Nasty.Utf8(JsonMutation.ApplyAll(EntryJson, json)), bytes));

    [Fact]
    public void AnyLocalEntryIsAVerifiedHitOrAMiss()
    {
        using var dir = new FuzzDirectory();
        FuzzBudget.Run("local-entries", Entries, bytes =>
        {
            var root = dir.NewCase();
            var warnings = new List<string>();
            var cache = new CacheStore(root);
            cache.Actions.Warn = warnings.Add;
            AtomicFile.WriteAllBytes(cache.Actions.PathOf(Key), bytes);
            if (cache.Actions.TryGetOutputs(Key) is { } hit)
                Assert.Null(OutputPaths.Problem(hit.Outputs));
            if (cache.Actions.TryGet(Key) is { } entry)
            {
                Assert.Null(OutputPaths.Problem(entry.Outputs, entry.Log));
                // A bundle export and a remote upload write the entry again: what was read must be writable.
                Assert.NotNull(ActionEntrySerializer.Deserialize(ActionEntrySerializer.Serialize(entry)));
            }
            foreach (var warning in warnings) Contract.OneCleanLine(Escaping.TerminalText.Clean(warning), "local entry warning");
            FuzzDirectory.DeleteQuietly(root);
        }, ciCases: 5000, FuzzSeed.For("local-entries"), print: ProjectFileFuzzTests.Show);
        dir.AssertOutsideUntouched();
    }

    /// <summary>Which file of the pack store an edit hits: the pack, its index, or the change counter.</summary>
    public sealed record PackDamage(int Target, ByteMutation[] Edits);

    private static readonly Gen<PackDamage[]> PackDamages = Gen.Select(Gen.Int[0, 2], ByteMutation.Many(4), (target, edits) => new PackDamage(target, edits)).Array[1, 3];

    private static string PackKey(int i) => ContentHash.Of("packed " + i);

    private static byte[] PackedEntry(int i) => ActionEntrySerializer.Serialize(Entry() with { Key = PackKey(i), Node = $"simulate/{i:000000}" });

    [Fact]
    public void AnyDamagedPackReadsAsItsOwnEntriesOrMissesAndTakesNewOnes()
    {
        using var dir = new FuzzDirectory();
        FuzzBudget.Run("packs", PackDamages, damages =>
        {
            var root = dir.NewCase();
            var cache = new CacheStore(root);
            // Two packs: a sealed one with its index, and an open one after it.
            var writer = new ActionPacks(cache.Actions.Packs.Root) { SealAt = 2 * PackedEntry(0).Length };
            for (var i = 0; i < 6; i++) writer.Append(PackKey(i), PackedEntry(i));
            writer.CloseWriter();
            var files = Directory.GetFiles(cache.Actions.Packs.Root);
            foreach (var damage in damages)
            {
                var suffix = damage.Target switch { 0 => ActionPacks.PackExtension, 1 => ActionPacks.IndexExtension, _ => ActionPacks.ChangesName };
                var target = files.Where(f => f.EndsWith(suffix, StringComparison.Ordinal)).OrderBy(f => f, StringComparer.Ordinal).FirstOrDefault();
                if (target is not null) File.WriteAllBytes(target, ByteMutation.ApplyAll(File.ReadAllBytes(target), damage.Edits));
            }

            var reader = new CacheStore(root);
            for (var i = 0; i < 6; i++)
            {
                // A packed entry is its own bytes or nothing: never another key's, never a half.
                if (reader.Actions.TryReadBytes(PackKey(i)) is { } bytes) Assert.Equal(PackedEntry(i), bytes);
                if (reader.Actions.TryGetOutputs(PackKey(i)) is { } hit) Assert.Null(OutputPaths.Problem(hit.Outputs));
            }
            Assert.All(reader.Actions.EnumerateKeys(), key => Assert.Contains(key, Enumerable.Range(0, 6).Select(PackKey)));
            // The store goes on: a new entry is written, found by a fresh reader, and removal leaves the store readable.
            reader.Actions.PutBytes(PackKey(6), PackedEntry(6));
            reader.Actions.CloseWriter();
            Assert.Equal(PackedEntry(6), new CacheStore(root).Actions.TryReadBytes(PackKey(6)));
            new CacheStore(root).Actions.Delete([PackKey(0), PackKey(6)]);
            var after = new CacheStore(root);
            Assert.Null(after.Actions.TryReadBytes(PackKey(6)));
            for (var i = 1; i < 6; i++)
                if (after.Actions.TryReadBytes(PackKey(i)) is { } left) Assert.Equal(PackedEntry(i), left);
            FuzzDirectory.DeleteQuietly(root);
        }, ciCases: 1500, FuzzSeed.For("packs"));
        dir.AssertOutsideUntouched();
    }

    private static readonly int[] SnapshotChunks = [17, 64, 4096];

    [Fact]
    public void AnySnapshotReadsTheSameRecordsWhateverTheChunkItIsReadIn()
    {
        // The last build's snapshot, as a build saves it, edited byte by byte: read in chunks of every size it reads
        // the same records as read in one, never throws, and gives each record its own id.
        using var dir = new FuzzDirectory();
        FuzzBudget.Run("snapshots", ByteMutation.Many(6), edits =>
        {
            var root = dir.NewCase();
            var store = new BuildStateStore(Path.Combine(root, "state"));
            var recipe = Path.Combine(root, "recipe.yaml");
            File.WriteAllText(recipe, "recipe: x\n");
            store.Save("x", recipe, Enumerable.Range(0, 5).Select(i => new NodeRecord($"simulate/{i:000000}", PackKey(i), i == 3, i == 3 ? "boom\tline" : "")
            {
                Outputs = i == 3 ? null : [new OutputFile("out.txt", Blob, BlobBytes.Length), new OutputFile("dir/result.json", Blob, i)],
                Metrics = i == 3 ? null : NodeMetrics.FromJson("{\"value\":" + i + "}"),
            }));
            var path = store.PathFor("x", recipe);
            File.WriteAllBytes(path, ByteMutation.ApplyAll(File.ReadAllBytes(path), edits));

            var whole = BuildStateStore.LoadFile(path);
            foreach (var (id, record) in whole) Assert.Equal(id, record.NodeId);
            foreach (var chunk in SnapshotChunks)
            {
                var read = BuildStateStore.LoadFile(path, chunk);
                Assert.Equal(whole.Keys.Order(StringComparer.Ordinal), read.Keys.Order(StringComparer.Ordinal));
                foreach (var (id, record) in whole)
                {
                    Assert.Equal(record.Key, read[id].Key);
                    Assert.Equal(record.Message, read[id].Message);
                    Assert.Equal(record.Outputs, read[id].Outputs);
                    Assert.Equal(record.Metrics?.Json, read[id].Metrics?.Json);
                }
            }
            FuzzDirectory.DeleteQuietly(root);
        }, ciCases: 800, FuzzSeed.For("snapshots"));
        dir.AssertOutsideUntouched();
    }

    /// <summary>How the remote answers a blob request: the right bytes, edited bytes, a wrong length header, an error status.</summary>
    public sealed record BlobAnswer(int Kind, ByteMutation[] Edits);

    private static readonly Gen<BlobAnswer> BlobAnswers = Gen.Select(Gen.Int[0, 4], ByteMutation.Many(2), (kind, edits) => new BlobAnswer(kind, edits));

    [Fact]
    public void AnyRemoteAnswerIsAVerifiedHitOrAMissWithWarnings()
    {
        using var dir = new FuzzDirectory();
        var payloads = Gen.Select(JsonMutation.Gen.Array[0, 5], ByteMutation.Many(2), BlobAnswers, (json, bytes, blob) => (json, bytes, blob));
        FuzzBudget.Run("remote-entries", payloads, c =>
        {
            var root = dir.NewCase();
            var warnings = new List<string>();
            var payload = new JsonObject
            {
                ["format"] = "recipes-remote/1", ["key"] = Key, ["blobs"] = new JsonObject { [Blob] = new string('a', 64) }, ["entry"] = EntryJson.DeepClone(),
            };
            var body = ByteMutation.ApplyAll(Nasty.Utf8(JsonMutation.ApplyAll(payload, c.json)), c.bytes);
            var cache = new CacheStore(root);
            using var client = new RemoteCacheClient(new RemoteCacheOptions(new Uri("http://cache.invalid/")) { Upload = false, Retries = 0, Timeout = TimeSpan.FromSeconds(5) },
                cache, warnings.Add, new Server(request => Answer(request, body, c.blob)));
            if (client.TryFetch(Key) is { } hit)
            {
                Assert.Null(OutputPaths.Problem(hit.Outputs));
                foreach (var output in hit.Outputs)
                    Assert.Equal(output.Hash, ContentHash.Of(File.ReadAllBytes(cache.Blobs.PathOf(output.Hash))));
            }
            // Every sink of these warnings (build, run-node) prints them through TerminalText.Clean: one line, shown not executed.
            foreach (var warning in warnings) Contract.OneCleanLine(Escaping.TerminalText.Clean(warning), "remote warning");
            FuzzDirectory.DeleteQuietly(root);
        }, ciCases: 3000, FuzzSeed.For("remote-entries"), print: c => string.Join(",", c.json.Select(m => m.ToString())) + " / " + string.Join(",", c.bytes.Select(m => m.ToString())) + " / " + c.blob);
        dir.AssertOutsideUntouched();
    }

    private static HttpResponseMessage Answer(HttpRequestMessage request, byte[] entryBody, BlobAnswer blob)
    {
        if (request.RequestUri!.AbsolutePath.StartsWith("/ac/", StringComparison.Ordinal))
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(entryBody) };
        var bytes = ByteMutation.ApplyAll(BlobBytes, blob.Edits);
        var response = new HttpResponseMessage(blob.Kind == 4 ? HttpStatusCode.InternalServerError : HttpStatusCode.OK) { Content = new ByteArrayContent(bytes) };
        if (blob.Kind == 1) response.Content.Headers.ContentLength = bytes.Length + 1000;
        if (blob.Kind == 2) response.Content.Headers.ContentLength = Math.Max(0, bytes.Length - 3);
        if (blob.Kind == 3) response.Content.Headers.ContentLength = long.MaxValue;
        return response;
    }

    /// <summary>A bundle: members (the manifest, entries, blobs, odd names) of which any may be edited, then the archive's bytes edited.</summary>
    public sealed record Bundle(byte[] Entry, ByteMutation[] BlobEdits, string? ExtraMember, ByteMutation[] ArchiveEdits);

    private static readonly Gen<Bundle> Bundles = Gen.Select(Entries, ByteMutation.Many(1),
        Gen.Frequency((3, Gen.Const<string?>((string?)null)), (1, Gen.OneOf<string?>("../../outside/victim", "/abs", "cas/../../x", "ac/\u001b[31m", "cas/" + new string('0', 32), "ac/" + Key, "\u001b]0;t\u0007"))),
        Gen.Frequency((3, Gen.Const(Array.Empty<ByteMutation>())), (1, ByteMutation.Many(3))),
        (entry, blob, extra, archive) => new Bundle(entry, blob, extra, archive));

    [Fact]
    public void AnyBundleIsImportedWholeOrRefused()
    {
        using var dir = new FuzzDirectory();
        FuzzBudget.Run("bundles", Bundles, bundle =>
        {
            var root = dir.NewCase();
            var archive = Path.Combine(root, "bundle.zip");
            using (var file = File.Create(archive))
            using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
            {
                Member(zip, "recipes-bundle.json", Nasty.Utf8("{\"format\":1}"));
                Member(zip, "ac/" + Key, bundle.Entry);
                Member(zip, "cas/" + Blob, ByteMutation.ApplyAll(BlobBytes, bundle.BlobEdits));
                if (bundle.ExtraMember is { } extra) Member(zip, extra, BlobBytes);
            }
            File.WriteAllBytes(archive, ByteMutation.ApplyAll(File.ReadAllBytes(archive), bundle.ArchiveEdits));
            var cache = new CacheStore(Path.Combine(root, "cache"));
            try
            {
                var report = CacheBundle.Import(archive, cache);
                foreach (var problem in report.Problems) Contract.OneLine(problem, "bundle problem");
                if (report.Problems.Count == 0 && cache.Actions.TryGet(Key) is { } entry)
                    foreach (var output in entry.Outputs)
                        Assert.Equal(output.Hash, ContentHash.Of(File.ReadAllBytes(cache.Blobs.PathOf(output.Hash))));
            }
            catch (Exception e) when (e is InvalidDataException or RefusedFileException)
            {
                // cache import prints it as one line, exit 2.
                Contract.OneLine(e.Message, "bundle refusal");
            }
            FuzzDirectory.DeleteQuietly(root);
        }, ciCases: 2000, FuzzSeed.For("bundles"), print: b => $"{ProjectFileFuzzTests.Show(b.Entry)} / {b.ExtraMember} / {string.Join(",", b.ArchiveEdits.Select(m => m.ToString()))}");
        dir.AssertOutsideUntouched();
    }

    private static void Member(ZipArchive zip, string name, byte[] content)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        stream.Write(content);
    }

    private sealed class Server(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) => respond(request);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromResult(respond(request));
    }
}
