using System.Diagnostics;
using System.Net;
using Recipes.Cache;
using Recipes.Engine.Tests.Support;
using Recipes.Remote;

namespace Recipes.Engine.Tests.Remote;

/// <summary>The remote cache's retries, timeouts and circuit, against a scripted server (no network).</summary>
public sealed class RemoteResilienceTests
{
    private const string Key = "0123456789abcdef0123456789abcdef";

    [Fact]
    public void RetryAfterIsHonouredBeforeTheNextAttempt()
    {
        var server = new ScriptedServer(attempt => attempt == 0
            ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Headers = { RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1)) } }
            : new HttpResponseMessage(HttpStatusCode.NotFound));
        using var run = new Client(server, new RemoteCacheOptions(new Uri("http://cache.invalid/")) { Upload = false, RetryDelay = TimeSpan.FromMilliseconds(1) });

        Assert.Null(run.Remote.TryFetch(Key));

        Assert.Equal(2, server.Attempts.Count);
        // The backoff alone would wait about a millisecond; the server asked for a second.
        Assert.True(server.Attempts[1] - server.Attempts[0] >= TimeSpan.FromMilliseconds(900), $"retried after {(server.Attempts[1] - server.Attempts[0]).TotalMilliseconds:0} ms");
        Assert.True(run.Remote.Enabled);
        Assert.Empty(run.Warnings);
    }

    [Fact]
    public void TransientFailuresAreRetriedAndAMissIsNotAFailure()
    {
        var server = new ScriptedServer(attempt => new HttpResponseMessage(attempt < 2 ? HttpStatusCode.BadGateway : HttpStatusCode.NotFound));
        using var run = new Client(server, new RemoteCacheOptions(new Uri("http://cache.invalid/")) { Upload = false, RetryDelay = TimeSpan.FromMilliseconds(1) });

        Assert.Null(run.Remote.TryFetch(Key));

        Assert.Equal(3, server.Attempts.Count);
        Assert.Equal(0, run.Remote.Stats.Failed);
        Assert.True(run.Remote.Enabled);
    }

    [Fact]
    public void ADeadRemoteIsGivenUpForTheRestOfTheBuildWithOneWarning()
    {
        var server = new ScriptedServer(_ => throw new HttpRequestException("Connection refused (cache.invalid:80)"));
        var options = new RemoteCacheOptions(new Uri("http://cache.invalid/")) { Upload = false, RetryDelay = TimeSpan.FromMilliseconds(1), Retries = 2, FailuresBeforeGivingUp = 6 };
        using var run = new Client(server, options);

        for (var i = 0; i < 20; i++) Assert.Null(run.Remote.TryFetch(Key));

        Assert.False(run.Remote.Enabled);
        var warning = Assert.Single(run.Warnings);
        Assert.Contains("Connection refused", warning);
        Assert.Contains("continuing with the local cache only", warning);
        // Bounded: the circuit opens after the sixth failed attempt; nothing is sent after that.
        Assert.InRange(server.Attempts.Count, options.FailuresBeforeGivingUp, options.FailuresBeforeGivingUp + options.Retries);
    }

    [Fact]
    public void TheWarningNamesTheServersAnswerWhicheverConcurrentRequestSeesTheCircuitOpenFirst()
    {
        // The circuit opens inside one request; its callback runs after the state changed, so a request on another
        // thread can meet the open circuit first. Whichever request disables the remote, the warning names the cause.
        for (var round = 0; round < 40; round++)
        {
            var server = new ScriptedServer(_ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { ReasonPhrase = "Service Unavailable" });
            var options = new RemoteCacheOptions(new Uri("http://cache.invalid/")) { Upload = false, Retries = 0, FailuresBeforeGivingUp = 2 };
            using var run = new Client(server, options);
            using var start = new Barrier(8);
            var fetchers = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
            {
                start.SignalAndWait();
                for (var i = 0; i < 20; i++) run.Remote.TryFetch(Key);
            })).ToArray();
            foreach (var fetcher in fetchers) fetcher.Start();
            foreach (var fetcher in fetchers) fetcher.Join();

            Assert.False(run.Remote.Enabled);
            var warning = Assert.Single(run.Warnings);
            Assert.Contains("HTTP 503", warning);
            Assert.Contains("HTTP 503", run.Remote.Stats.Disabled);
        }
    }

    [Fact]
    public void AStalledAttemptTimesOutAndIsRetried()
    {
        var server = new ScriptedServer((_, token) =>
        {
            Task.Delay(TimeSpan.FromSeconds(30), token).Wait(token);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var run = new Client(server, new RemoteCacheOptions(new Uri("http://cache.invalid/"))
        {
            Upload = false, RetryDelay = TimeSpan.FromMilliseconds(1), Retries = 1, Timeout = TimeSpan.FromMilliseconds(200),
        });
        var clock = Stopwatch.StartNew();

        Assert.Null(run.Remote.TryFetch(Key));

        Assert.Equal(2, server.Attempts.Count);
        Assert.Equal(1, run.Remote.Stats.Failed);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), "the attempt timeout, not the stalled server, ended the request");
    }

    [Fact]
    public void ARefusalIsNotRetriedAndStopsTheRemoteAtOnce()
    {
        var server = new ScriptedServer(_ => new HttpResponseMessage(HttpStatusCode.Unauthorized) { ReasonPhrase = "Unauthorized" });
        using var run = new Client(server, new RemoteCacheOptions(new Uri("http://cache.invalid/")) { Upload = false, RetryDelay = TimeSpan.FromMilliseconds(1) });

        Assert.Null(run.Remote.TryFetch(Key));
        Assert.Null(run.Remote.TryFetch(Key));

        Assert.Single(server.Attempts);
        Assert.False(run.Remote.Enabled);
        Assert.Contains("HTTP 401", Assert.Single(run.Warnings));
    }

    private sealed class Client : IDisposable
    {
        private readonly TempDirectory _temp = new();

        public Client(ScriptedServer server, RemoteCacheOptions options)
        {
            Remote = new RemoteCacheClient(options, new CacheStore(_temp.Root), warning => { lock (Warnings) Warnings.Add(warning); }, server);
        }

        public RemoteCacheClient Remote { get; }
        public List<string> Warnings { get; } = [];

        public void Dispose()
        {
            Remote.Dispose();
            _temp.Dispose();
        }
    }

    /// <summary>Answers each attempt from a script and records when it came.</summary>
    private sealed class ScriptedServer(Func<int, CancellationToken, HttpResponseMessage> respond) : HttpMessageHandler
    {
        public ScriptedServer(Func<int, HttpResponseMessage> respond) : this((attempt, _) => respond(attempt)) { }

        public List<TimeSpan> Attempts { get; } = [];
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            int attempt;
            lock (Attempts)
            {
                attempt = Attempts.Count;
                Attempts.Add(_clock.Elapsed);
            }
            return respond(attempt, cancellationToken);
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(Send(request, cancellationToken));
    }
}
