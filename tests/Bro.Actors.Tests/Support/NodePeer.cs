using System.Diagnostics;

namespace Bro.Actors.Tests.Support;

/// <summary>
/// A peer in another process: Node.js connects to the gateway, writes one JSON frame, and prints
/// every frame it reads back as a line, then <c>CLOSED</c> when the gateway closes the socket.
/// It hangs up when its stdin closes (<see cref="DisposeAsync"/>). Tests that need a second
/// process (peer credentials are per process) use it.
/// </summary>
public sealed class NodePeer : IAsyncDisposable
{
    /// <summary>The line printed when the gateway has closed the connection.</summary>
    public const string Closed = "CLOSED";

    private const string Script = """
        const net = require('net');
        const socket = net.connect(process.argv[1], () => {
          const body = Buffer.from(process.argv[2]);
          const head = Buffer.alloc(4);
          head.writeUInt32BE(body.length);
          socket.write(Buffer.concat([head, body]));
        });
        let pending = Buffer.alloc(0);
        socket.on('data', data => {
          pending = Buffer.concat([pending, data]);
          while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32BE(0)) {
            const length = pending.readUInt32BE(0);
            console.log(pending.subarray(4, 4 + length).toString());
            pending = pending.subarray(4 + length);
          }
        });
        socket.on('error', e => console.log('SOCKET_ERROR ' + e.message));
        socket.on('close', () => { console.log('CLOSED'); process.exit(0); });
        process.stdin.on('end', () => socket.destroy());
        process.stdin.resume();
        """;

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<(string Text, TaskCompletionSource<string> Seen)> _waiters = [];

    private NodePeer(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The Node.js process's id: the pid the gateway sees for this peer.</summary>
    public int Pid => _process.Id;

    /// <summary>Everything it printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_lines) return string.Join('\n', _lines);
        }
    }

    /// <summary>Starts Node.js, connecting to <paramref name="socketPath"/> and writing <paramref name="json"/> as one frame.</summary>
    public static NodePeer Start(string socketPath, string json)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-e", Script, socketPath, json })
            start.ArgumentList.Add(argument);
        return new NodePeer(Process.Start(start)!);
    }

    /// <summary>Completes with the first line (printed already or to come) containing <paramref name="text"/>.</summary>
    public Task<string> WaitForLineAsync(string text)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            var line = _lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null) seen.SetResult(line);
            else _waiters.Add((text, seen));
        }

        return seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Kills the process (SIGKILL): its socket closes with whatever it had not answered.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            _process.Kill();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
            return;
        lock (_lines)
        {
            _lines.Add(line);
            foreach (var waiter in _waiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToArray())
            {
                waiter.Seen.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }
    }
}
