using Recipes.Plugins.Files;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Http.Resilience;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Recipes.Cache;
using Recipes.Hashing;

namespace Recipes.Remote;

/// <summary>
/// A shared cache over HTTP with the paths of Bazel's HTTP cache, so bazel-remote or nginx with WebDAV PUT can serve
/// it: <c>GET/PUT /ac/KEY</c> for action results and <c>GET/PUT /cas/SHA256</c> for blobs. Remote blobs are addressed
/// by SHA-256 (collision resistance matters once strangers share a cache); each result names the SHA-256 of every
/// blob it refers to, and every blob read is checked against both its SHA-256 and its local XxHash128 before use.
/// Failures never fail a build: a failed request is a miss, and a remote that keeps failing is given up for the rest
/// of the build with one warning while the build goes on locally.
/// </summary>
public sealed class RemoteCacheClient : IDisposable
{
    private const string Format = "recipes-remote/1";

    /// <summary>An action result is a few kilobytes; a body longer than this is refused unread.</summary>
    public const long MaxEntryBytes = 16L << 20;

    /// <summary>No blob is taken over this, whatever its entry declares (blobs are held in memory while verified).</summary>
    public const long MaxBlobBytes = 1L << 30;

    private readonly RemoteCacheOptions _options;
    private readonly CacheStore _cache;
    private readonly HttpClient _http;
    private readonly Channel<string> _uploads = Channel.CreateUnbounded<string>();
    private readonly List<Task> _workers = [];
    private readonly Action<string> _warn;
    private int _disabled;
    private string? _lastFailure;

    public RemoteCacheClient(RemoteCacheOptions options, CacheStore cache, Action<string> warn)
        : this(options, cache, warn, new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
    }

    /// <summary>With the transport given (tests put a scripted server here); the resilience pipeline sits above it.</summary>
    internal RemoteCacheClient(RemoteCacheOptions options, CacheStore cache, Action<string> warn, HttpMessageHandler transport)
    {
        _options = options;
        _cache = cache;
        _warn = warn;
        var resilience = new ResilienceHandler(RemoteResilience.Pipeline(options, cause => Volatile.Write(ref _lastFailure, cause), reason => Disable(reason))) { InnerHandler = transport };
        // Each attempt has its own timeout in the pipeline; the client's own would cut retries short.
        _http = new HttpClient(resilience) { BaseAddress = options.Url, Timeout = Timeout.InfiniteTimeSpan };
        if (options.BearerToken is { Length: > 0 } token)
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        else if (options.User is not null)
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.User}:{options.Password}")));
        if (options.Upload)
            for (var i = 0; i < Math.Max(1, options.Concurrency); i++) _workers.Add(Task.Run(UploadLoop));
    }

    public RemoteStats Stats { get; } = new();

    public bool Enabled => Volatile.Read(ref _disabled) == 0;

    /// <summary>The remote name of an action key: SHA-256, as bazel-remote requires 64 hex characters.</summary>
    public static string RemoteKey(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("recipes/ac/" + key)));

    /// <summary>Looks a key up remotely; on a verified hit, stores its blobs and entry locally and returns the outputs.</summary>
    public CachedResult? TryFetch(string key)
    {
        if (!Enabled) return null;
        var body = Get($"ac/{RemoteKey(key)}", MaxEntryBytes, tooLong => $"the remote result for {key[..12]} {tooLong}; refused unread, the node is treated as a miss", out _);
        if (body is null) return null;
        // Every field is typed before use: a number where a name belongs or a size of 1e20 is a refused entry (a miss
        // with one warning), never an exception that ends the build. A poisoned shared cache must not stop anyone's build.
        JsonObject payload, entryNode, shas;
        try
        {
            payload = Reading.BoundedJson.ParseObject(body, $"the remote result for {key[..12]}");
            var source = $"the remote result for {key[..12]}";
            if (Reading.JsonFields.Text(payload, "format", source) != Format || Reading.JsonFields.Text(payload, "key", source) != key
                || Reading.JsonFields.Object(payload, "entry", source) is not { } entryObject)
            {
                Reject($"the remote result for {key[..12]} does not describe this key");
                return null;
            }
            entryNode = entryObject;
            shas = Reading.JsonFields.Object(payload, "blobs", source) ?? [];
        }
        catch (Plugins.Files.RefusedFileException e)
        {
            Reject($"{e.Message}; the node is treated as a miss");
            return null;
        }
        var entryBytes = Encoding.UTF8.GetBytes(entryNode.ToJsonString());
        var hit = ActionEntrySerializer.ReadOutputs(entryBytes, key, out var problem);
        var entry = ActionEntrySerializer.Deserialize(entryBytes);
        if (problem is not null)
        {
            Reject($"the remote result for {key[..12]} refused: it names {problem}; the node is treated as a miss");
            return null;
        }
        if (hit is null || entry is null)
        {
            Reject($"the remote result for {key[..12]} is incomplete or has fields of the wrong type; the node is treated as a miss");
            return null;
        }
        var needed = entry.Outputs.Select(o => o.Hash).Append(entry.Log).OfType<string>().Distinct();
        foreach (var hash in needed)
        {
            if (_cache.Blobs.Contains(hash)) continue;
            var sha = shas[hash] is JsonValue v && v.TryGetValue(out string? text) ? text : null;
            if (sha is null || sha.Length != 64 || !sha.All(char.IsAsciiHexDigitLower))
            {
                Reject($"the remote result for {entry.Node} lacks the SHA-256 of blob {hash[..12]}");
                return null;
            }
            // The body may be no longer than the entry says (its log has no declared size: the hard limit holds for it).
            var declared = entry.Outputs.FirstOrDefault(o => o.Hash == hash)?.Size ?? MaxBlobBytes;
            var blob = Get($"cas/{sha}", Math.Min(declared, MaxBlobBytes),
                tooLong => $"blob {sha[..12]} of {entry.Node} on the remote does not match its hash (it {tooLong}); refused unread, the node is rebuilt", out var refused);
            if (blob is null)
            {
                if (!Enabled || refused) return null;
                Reject($"blob {sha[..12]} of {entry.Node} is missing on the remote; rebuilding it");
                return null;
            }
            if (Convert.ToHexStringLower(SHA256.HashData(blob)) != sha || ContentHash.Of(blob) != hash)
            {
                Reject($"blob {sha[..12]} of {entry.Node} on the remote does not match its hash; discarded, the node is rebuilt");
                return null;
            }
            _cache.Blobs.PutBytes(blob);
        }
        _cache.Actions.PutBytes(key, entryBytes);
        Stats.Hit();
        return hit;
    }

    /// <summary>Queues the local entry of <paramref name="key"/> and its blobs for upload beside the running build.</summary>
    public void EnqueueUpload(string key)
    {
        if (_options.Upload && Enabled) _uploads.Writer.TryWrite(key);
    }

    /// <summary>Waits for queued uploads, at most <paramref name="limit"/>; what is left is dropped with a warning.</summary>
    public async Task FlushAsync(TimeSpan limit)
    {
        _uploads.Writer.TryComplete();
        var all = Task.WhenAll(_workers);
        if (await Task.WhenAny(all, Task.Delay(limit)) != all)
            Disable($"uploads did not finish within {limit.TotalSeconds:0} s; the rest stays local");
    }

    private async Task UploadLoop()
    {
        await foreach (var key in _uploads.Reader.ReadAllAsync())
        {
            if (!Enabled) continue;
            try
            {
                Upload(key);
            }
            catch (IOException e)
            {
                _warn($"could not read cache entry {key[..12]} for upload: {e.Message}");
            }
        }
    }

    private void Upload(string key)
    {
        var entryBytes = _cache.Actions.TryReadBytes(key) ?? throw new IOException("the entry is gone");
        var entry = ActionEntrySerializer.Deserialize(entryBytes) ?? throw new IOException("unreadable entry");
        var shas = new JsonObject();
        foreach (var hash in entry.Outputs.Select(o => o.Hash).Append(entry.Log).OfType<string>().Distinct())
        {
            var blob = File.ReadAllBytes(_cache.Blobs.PathOf(hash));
            var sha = Convert.ToHexStringLower(SHA256.HashData(blob));
            shas[hash] = sha;
            if (!Put($"cas/{sha}", blob)) return;
            Stats.Up(blob.Length);
        }
        var payload = new JsonObject
        {
            ["format"] = Format,
            ["key"] = key,
            ["blobs"] = shas,
            ["entry"] = JsonNode.Parse(entryBytes),
        };
        var body = Encoding.UTF8.GetBytes(payload.ToJsonString());
        if (!Put($"ac/{RemoteKey(key)}", body)) return;
        Stats.Up(body.Length);
        Stats.Uploaded();
    }

    /// <summary>A GET's body of at most <paramref name="cap"/> bytes; a longer one is refused with one warning, worded by <paramref name="refusal"/>.</summary>
    /// <remarks><paramref name="refused"/> says it was refused (and warned about), so the caller does not warn again.</remarks>
    private byte[]? Get(string path, long cap, Func<string, string> refusal, out bool refused)
    {
        refused = false;
        if (Send(() => new HttpRequestMessage(HttpMethod.Get, path), allowNotFound: true, out var body, cap, out var tooLong)) return body;
        if (tooLong is not null)
        {
            refused = true;
            Reject(refusal(tooLong));
        }
        return null;
    }

    private bool Put(string path, byte[] content) =>
        Send(() => new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(content) }, allowNotFound: false, out _, 0, out _);

    /// <summary>
    /// One request through the resilience pipeline (retries with jittered exponential backoff and Retry-After, a
    /// timeout per attempt, a circuit breaker; see <see cref="RemoteResilience"/>): true with the body on success,
    /// false on a miss, a failure or once the remote is given up. A failed request is a miss, not a failed build; a
    /// remote that keeps failing opens the circuit, which disables it for the rest of the build with one warning.
    /// </summary>
    private bool Send(Func<HttpRequestMessage> request, bool allowNotFound, out byte[]? body, long cap, out string? tooLong)
    {
        body = null;
        tooLong = null;
        if (!Enabled) return false;
        try
        {
            using var message = request();
            // Headers only: the body is streamed below under its cap, never buffered whole by the client first.
            using var response = _http.Send(message, HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode == HttpStatusCode.NotFound && allowNotFound) return false;
            if (response.IsSuccessStatusCode)
            {
                if (!allowNotFound) return true;
                body = ReadBounded(response, cap, out tooLong);
                if (body is null) return false;
                Stats.Down(body.Length);
                return true;
            }
            // Refusals that no retry changes (credentials, a read-only server, a size limit): stop asking at once.
            if ((int)response.StatusCode is 401 or 403 or 405 or 413)
                Disable($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            else
                Stats.Fail();
        }
        catch (BrokenCircuitException)
        {
            // The circuit opened on another request; its callback may not have run yet, so this one may be first to
            // disable the remote, naming the last failure the breaker counted.
            Disable($"{Volatile.Read(ref _lastFailure) ?? "failures"}; too many failed requests");
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or TaskCanceledException or IOException)
        {
            Stats.Fail();
        }
        return false;
    }

    /// <summary>
    /// The body, streamed: refused as soon as it declares or reaches more than <paramref name="cap"/> bytes, and cut off
    /// after ten attempt timeouts, so a body that never ends costs neither memory nor the build.
    /// </summary>
    private byte[]? ReadBounded(HttpResponseMessage response, long cap, out string? tooLong)
    {
        tooLong = null;
        if (response.Content.Headers.ContentLength is { } declared && declared > cap)
        {
            tooLong = $"declares {declared} bytes where at most {cap} are expected";
            return null;
        }
        using var deadline = new CancellationTokenSource(_options.Timeout * 10);
        using var stream = response.Content.ReadAsStream(deadline.Token);
        using var copy = new MemoryStream();
        var chunk = new byte[1 << 16];
        while (true)
        {
            var n = stream.ReadAsync(chunk, deadline.Token).AsTask().GetAwaiter().GetResult();
            if (n == 0) break;
            if (copy.Length + n > cap)
            {
                tooLong = $"is longer than the {cap} bytes expected";
                return null;
            }
            copy.Write(chunk, 0, n);
        }
        return copy.ToArray();
    }

    private void Reject(string message)
    {
        Stats.Reject();
        _warn("remote cache: " + message);
    }

    private void Disable(string reason)
    {
        if (Interlocked.Exchange(ref _disabled, 1) != 0) return;
        Stats.Disabled = reason;
        _warn($"remote cache {_options.Url} unusable ({reason}); continuing with the local cache only");
    }

    public void Dispose() => _http.Dispose();
}
