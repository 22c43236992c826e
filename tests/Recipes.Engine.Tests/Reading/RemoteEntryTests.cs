using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Recipes.Cache;
using Recipes.Engine.Tests.Support;
using Recipes.Remote;

namespace Recipes.Engine.Tests.Reading;

/// <summary>
/// docs/security.md, "One reading discipline": a remote /ac/ entry that is valid JSON with fields of the wrong type, a
/// body longer than declared or one that never ends is a miss with one warning, never an exception that ends the build.
/// </summary>
public sealed class RemoteEntryTests
{
    private const string Key = "0123456789abcdef0123456789abcdef";
    private const string Blob = "fedcba9876543210fedcba9876543210";

    private static JsonObject Payload(JsonNode? name, JsonNode? size) => new()
    {
        ["format"] = "recipes-remote/1",
        ["key"] = Key,
        ["blobs"] = new JsonObject { [Blob] = new string('a', 64) },
        ["entry"] = new JsonObject
        {
            ["key"] = Key, ["node"] = "simulate/000000", ["stage"] = "simulate", ["plugin"] = "exec", ["version"] = 1, ["spec"] = "{}",
            ["inputs"] = new JsonArray(),
            ["outputs"] = new JsonArray(new JsonObject { ["name"] = name, ["hash"] = Blob, ["size"] = size }),
            ["metrics"] = new JsonObject(), ["seconds"] = 0.1,
        },
    };

    private static (CachedResult? Hit, List<string> Warnings) Fetch(Func<HttpRequestMessage, HttpResponseMessage> respond)
    {
        using var temp = new TempDirectory();
        var warnings = new List<string>();
        using var client = new RemoteCacheClient(new RemoteCacheOptions(new Uri("http://cache.invalid/")) { Upload = false, Retries = 0, Timeout = TimeSpan.FromSeconds(2) },
            new CacheStore(temp.Root), warnings.Add, new Server(respond));
        return (client.TryFetch(Key), warnings);
    }

    private static HttpResponseMessage Json(JsonNode payload) => new(HttpStatusCode.OK) { Content = new StringContent(payload.ToJsonString(), Encoding.UTF8) };

    [Theory]
    [InlineData("5", "10")]
    [InlineData("\"out.txt\"", "1e20")]
    [InlineData("\"out.txt\"", "-1")]
    [InlineData("[\"a\"]", "10")]
    public void AnEntryWithFieldsOfTheWrongTypeIsAMissWithOneWarning(string name, string size)
    {
        var (hit, warnings) = Fetch(_ => Json(Payload(JsonNode.Parse(name), JsonNode.Parse(size))));
        Assert.Null(hit);
        var warning = Assert.Single(warnings);
        Assert.StartsWith($"remote cache: the remote result for {Key[..12]} ", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"format": 1, "key": 2, "entry": 3}""")]
    [InlineData("""{"format": "recipes-remote/1", "key": "0123456789abcdef0123456789abcdef", "entry": [], "blobs": 5}""")]
    [InlineData("[1, 2]")]
    public void APayloadOfTheWrongShapeIsAMissWithOneWarning(string body)
    {
        var (hit, warnings) = Fetch(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body) });
        Assert.Null(hit);
        Assert.Single(warnings);
    }

    [Fact]
    public void ABlobThatStreamsWithoutEndIsCutAtItsDeclaredSize()
    {
        var (hit, warnings) = Fetch(request => request.RequestUri!.AbsolutePath.StartsWith("/ac/", StringComparison.Ordinal)
            ? Json(Payload("out.txt", 10))
            : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new Endless()) });
        Assert.Null(hit);
        Assert.Equal($"remote cache: blob {new string('a', 12)} of simulate/000000 on the remote does not match its hash (it is longer than the 10 bytes expected); refused unread, the node is rebuilt",
            Assert.Single(warnings));
    }

    [Fact]
    public void AnEntryDeclaringMoreThanTheLimitIsRefusedUnread()
    {
        var endless = new Endless();
        var (hit, warnings) = Fetch(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(endless) };
            response.Content.Headers.ContentLength = RemoteCacheClient.MaxEntryBytes + 1;
            return response;
        });
        Assert.Null(hit);
        Assert.Contains($"declares {RemoteCacheClient.MaxEntryBytes + 1} bytes where at most {RemoteCacheClient.MaxEntryBytes} are expected", Assert.Single(warnings), StringComparison.Ordinal);
        Assert.Equal(0, endless.Served);
    }

    /// <summary>A body that never ends, counting what was read of it.</summary>
    private sealed class Endless : Stream
    {
        public long Served { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Served; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Fill(buffer, (byte)'x', offset, count);
            Served += count;
            return count;
        }
    }

    private sealed class Server(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) => respond(request);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromResult(respond(request));
    }
}
