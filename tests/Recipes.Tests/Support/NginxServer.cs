using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Recipes.Tests.Support;

/// <summary>
/// Debian's nginx with WebDAV PUT, started on 127.0.0.1 at a free port with a config written here, serving a
/// directory as a Bazel-layout HTTP cache (tests/setup/nginx.sh installs it).
/// </summary>
public sealed class NginxServer : IDisposable
{
    public const string Binary = "/usr/sbin/nginx";
    private readonly Process _process;

    public enum Mode
    {
        Cache,
        Failing,
        TokenRequired,
    }

    public NginxServer(Mode mode = Mode.Cache)
    {
        Prefix = Path.Combine(Path.GetTempPath(), "recipes-nginx", Guid.NewGuid().ToString("N")[..10]);
        Storage = Path.Combine(Prefix, "store");
        Directory.CreateDirectory(Storage);
        Directory.CreateDirectory(Path.Combine(Prefix, "body"));
        Port = FreePort();
        var location = mode switch
        {
            Mode.Failing => "return 503;",
            Mode.TokenRequired => "if ($http_authorization != \"Bearer s3cret\") { return 401; }\n      dav_methods PUT;\n      create_full_put_path on;",
            _ => "dav_methods PUT;\n      create_full_put_path on;",
        };
        var user = Environment.UserName == "root" ? "user root root;" : "";
        File.WriteAllText(Path.Combine(Prefix, "nginx.conf"), $$"""
            daemon off;
            worker_processes 1;
            {{user}}
            error_log {{Prefix}}/error.log;
            pid {{Prefix}}/nginx.pid;
            events { worker_connections 128; }
            http {
              access_log off;
              client_body_temp_path {{Prefix}}/body;
              client_max_body_size 0;
              server {
                listen 127.0.0.1:{{Port}};
                root {{Storage}};
                location / {
                  {{location}}
                }
              }
            }
            """);
        _process = Process.Start(new ProcessStartInfo(Binary, ["-p", Prefix, "-c", Path.Combine(Prefix, "nginx.conf")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        WaitUntilListening();
    }

    public string Prefix { get; }
    public string Storage { get; }
    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/";

    public static string? SkipReason()
    {
        if (!File.Exists(Binary)) return "nginx is not installed (tests/setup/nginx.sh installs Debian's nginx-core with apt)";
        var info = Process.Start(new ProcessStartInfo(Binary, "-V") { RedirectStandardError = true })!;
        var text = info.StandardError.ReadToEnd();
        info.WaitForExit();
        return text.Contains("http_dav_module", StringComparison.Ordinal) ? null : "this nginx lacks the WebDAV module (install nginx-core)";
    }

    public IEnumerable<string> StoredFiles(string area) =>
        Directory.Exists(Path.Combine(Storage, area)) ? Directory.EnumerateFiles(Path.Combine(Storage, area)) : [];

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void WaitUntilListening()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (_process.HasExited)
                throw new InvalidOperationException("nginx exited: " + _process.StandardError.ReadToEnd() + File.ReadAllText(Path.Combine(Prefix, "error.log")));
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new TimeoutException("nginx did not start listening");
    }

    public void Stop()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Stop();
        _process.Dispose();
        try
        {
            Directory.Delete(Prefix, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
