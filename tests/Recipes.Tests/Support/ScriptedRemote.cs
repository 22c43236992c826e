using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Recipes.Tests.Support;

/// <summary>
/// An HTTP cache in the remote cache's layout (<c>/ac/</c>, <c>/cas/</c>) held in memory, whose answers a test can
/// script: it stores what builds PUT, and serves each GET through <see cref="Serve"/>, which may return the stored
/// bytes, other bytes, an error status or a body that never ends. A poisoned shared cache, on demand.
/// </summary>
public sealed class ScriptedRemote : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>What a GET gets: the body (null for 404), a status, or <see cref="Endless"/> for a body that never ends.</summary>
    public sealed record Answer(byte[]? Body, int Status = 200, bool Endless = false);

    public ScriptedRemote()
    {
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(Loop);
    }

    public string Url { get; }

    /// <summary>What was PUT, by path (<c>ac/KEY</c>, <c>cas/SHA</c>).</summary>
    public ConcurrentDictionary<string, byte[]> Stored { get; } = new(StringComparer.Ordinal);

    /// <summary>The answer to a GET of a path, given what is stored there (null when nothing is); honest by default.</summary>
    public Func<string, byte[]?, Answer> Serve { get; set; } = (_, stored) => new Answer(stored, stored is null ? 404 : 200);

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private async Task Loop()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            catch (HttpListenerException) { return; }
            _ = Task.Run(() => Handle(context));
        }
    }

    private async Task Handle(HttpListenerContext context)
    {
        var path = context.Request.Url!.AbsolutePath.TrimStart('/');
        var response = context.Response;
        try
        {
            if (context.Request.HttpMethod == "PUT")
            {
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                Stored[path] = body.ToArray();
                response.StatusCode = 200;
                response.Close();
                return;
            }
            var answer = Serve(path, Stored.TryGetValue(path, out var stored) ? stored : null);
            response.StatusCode = answer.Body is null && !answer.Endless ? (answer.Status == 200 ? 404 : answer.Status) : answer.Status;
            if (answer.Endless)
            {
                // Until the client hangs up: a body with no end, as a broken or hostile server sends.
                response.SendChunked = true;
                var chunk = new byte[1 << 16];
                while (!_stop.IsCancellationRequested) await response.OutputStream.WriteAsync(chunk);
            }
            else if (answer.Body is not null)
            {
                response.ContentLength64 = answer.Body.Length;
                await response.OutputStream.WriteAsync(answer.Body);
            }
            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client hung up (as it should on an endless or oversized body).
            response.Abort();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
