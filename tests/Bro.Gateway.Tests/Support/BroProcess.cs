using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Bro.Gateway.Tests.Support;

/// <summary>
/// The real <c>bro</c> console (Bro.Gateway.dll, copied beside the tests) run as a child process, with
/// its output collected line by line so tests can wait for what it says.
/// </summary>
public sealed class BroProcess : IAsyncDisposable
{
    private const int SigTerm = 15;

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];

    private BroProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>Everything the process wrote so far, stdout and stderr interleaved.</summary>
    public string Output
    {
        get
        {
            lock (_lines) return string.Join('\n', _lines);
        }
    }

    /// <summary>Starts <c>dotnet Bro.Gateway.dll</c> with <paramref name="arguments"/>.</summary>
    public static BroProcess Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Bro.Gateway.dll"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        return new BroProcess(Process.Start(start)!);
    }

    /// <summary>
    /// Completes with the first line (already written or to come) containing <paramref name="text"/>;
    /// fails after <paramref name="timeout"/> (default 30 s).
    /// </summary>
    public Task<string> WaitForLineAsync(string text, TimeSpan? timeout = null)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            var line = _lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null) seen.SetResult(line);
            else _waiters.Add((l => l.Contains(text, StringComparison.Ordinal), seen));
        }

        return seen.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>Sends SIGTERM, as a service manager stopping the gateway would.</summary>
    public void Terminate() => _ = Kill(_process.Id, SigTerm);

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        // The exit event can precede the last redirected lines; this drains them.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_lines)
        {
            _lines.Add(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!_waiters[i].Match(line)) continue;
                _waiters[i].Seen.TrySetResult(line);
                _waiters.RemoveAt(i);
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
