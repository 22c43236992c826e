using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Recipes.Execution;

/// <summary>
/// Keeps what native libraries write to file descriptor 2 (libtorch's "NNPACK.cpp:56" warning, ILGPU's CUDA notes) out
/// of the live terminal display and in the log of the node that was running.
/// <para>
/// Why at the descriptor level: libtorch writes with C stdio straight to fd 2, past .NET's Console, so no
/// <see cref="Console.SetError"/> can catch it. While a capture is active fd 2 is a pipe (dup2), a reader thread copies
/// each line to the log of every node attached at that moment (usually one: trainers hold the device alone; with
/// several running, a line cannot be told apart, so each of them gets it, marked), or to <c>unclaimed</c> when no node
/// runs. The original stderr stays open as <see cref="Terminal"/> for the live display and for .NET's own messages
/// (<see cref="Console.Error"/> is pointed there), so nothing is lost if the pipe is never read again.
/// </para>
/// </summary>
public sealed class NativeStderr : IDisposable
{
    private static readonly Lock SinkGate = new();
    private static readonly List<TextWriter> Sinks = [];

    private readonly int _saved;
    private readonly Thread _reader;
    private readonly TextWriter _previousError;
    private readonly Action<string> _unclaimed;
    private bool _disposed;

    private NativeStderr(int saved, int readEnd, Action<string> unclaimed)
    {
        _saved = saved;
        _unclaimed = unclaimed;
        Terminal = new StreamWriter(new FileStream(new SafeFileHandle(saved, ownsHandle: false), FileAccess.Write, 1), new UTF8Encoding(false)) { AutoFlush = true };
        _previousError = Console.Error;
        Console.SetError(TextWriter.Synchronized(Terminal));
        var stream = new FileStream(new SafeFileHandle(readEnd, ownsHandle: true), FileAccess.Read, 1);
        _reader = new Thread(() => Pump(stream)) { IsBackground = true, Name = "native stderr" };
        _reader.Start();
    }

    /// <summary>The process's real stderr while the capture lasts (the terminal, for the live display).</summary>
    public TextWriter Terminal { get; }

    /// <summary>
    /// Points fd 2 at a pipe until disposed; null where that is not possible (Windows, no libc), in which case native
    /// output keeps going to the terminal as before.
    /// </summary>
    public static NativeStderr? Start(Action<string> unclaimed)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return null;
        try
        {
            Console.Error.Flush();
            var fds = new int[2];
            if (Pipe(fds) != 0) return null;
            var saved = Dup(2);
            if (saved < 0 || Dup2(fds[1], 2) < 0)
            {
                _ = Close(fds[0]);
                _ = Close(fds[1]);
                if (saved >= 0) _ = Close(saved);
                return null;
            }
            // fd 2 now holds the write end; closing our copy means the reader sees end-of-file once fd 2 is restored.
            _ = Close(fds[1]);
            return new NativeStderr(saved, fds[0], unclaimed);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Sends captured native output to <paramref name="log"/> until the returned handle is disposed.</summary>
    public static IDisposable Attach(TextWriter log)
    {
        lock (SinkGate) Sinks.Add(log);
        return new Detach(log);
    }

    private void Pump(Stream stream)
    {
        using var reader = new StreamReader(stream, new UTF8Encoding(false));
        while (reader.ReadLine() is { } line)
        {
            TextWriter[] sinks;
            lock (SinkGate) sinks = [.. Sinks];
            if (sinks.Length == 0)
            {
                _unclaimed(line);
                continue;
            }
            var text = sinks.Length == 1 ? $"[native stderr] {line}" : $"[native stderr, one of {sinks.Length} running nodes] {line}";
            foreach (var sink in sinks)
                try { sink.WriteLine(text); }
                catch (ObjectDisposedException) { /* the node finished between the copy and the write */ }
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Restoring fd 2 drops the pipe's last write end; the reader drains what is left and stops.
        _ = Dup2(_saved, 2);
        _reader.Join(TimeSpan.FromSeconds(5));
        Console.SetError(_previousError);
        Terminal.Flush();
        _ = Close(_saved);
    }

    private sealed class Detach(TextWriter log) : IDisposable
    {
        public void Dispose()
        {
            lock (SinkGate) Sinks.Remove(log);
        }
    }

    [DllImport("libc", EntryPoint = "pipe", SetLastError = true)]
    private static extern int Pipe(int[] fds);

    [DllImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static extern int Dup(int fd);

    [DllImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static extern int Dup2(int from, int to);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
