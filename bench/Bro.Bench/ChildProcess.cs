using System.Diagnostics;

namespace Bro.Bench;

/// <summary>
/// A process the driver started (the gateway, the relay or a callee). Closing its stdin asks a
/// bench role to exit; the gateway is killed. Disposal always leaves no process behind.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _readyLine;
    private readonly List<string> _output = [];

    private ChildProcess(Process process, string readyLine)
    {
        _process = process;
        _readyLine = readyLine;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException(
            $"{string.Join(' ', process.StartInfo.ArgumentList)} exited before it was ready:\n{string.Join('\n', _output)}"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The process id, for <see cref="ProcessProbe"/>.</summary>
    public int Id => _process.Id;

    /// <summary>The gateway console's assembly (the <c>bro</c> command), copied into the bench's output.</summary>
    public const string Gateway = "Bro.Gateway.dll";

    /// <summary>
    /// Starts <c>dotnet dll args</c>; <see cref="ReadyAsync"/> completes on the first line containing <paramref name="readyLine"/>.
    /// With <paramref name="discardStdout"/>, its standard output goes to /dev/null (a process that
    /// writes more than this bench should spend reading: <c>bro monitor</c>); the ready line must then come on stderr.
    /// </summary>
    public static ChildProcess Start(string dll, IEnumerable<string> args, string readyLine, IEnumerable<string>? environment = null,
        bool discardStdout = false)
    {
        var start = new ProcessStartInfo(discardStdout ? "sh" : "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (discardStdout)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("exec dotnet \"$@\" > /dev/null");
            start.ArgumentList.Add("sh");
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var variable in environment ?? [])
        {
            var (name, value) = variable.Split('=', 2) is [var n, var v] ? (n, v) : throw new ArgumentException($"{variable} is not NAME=VALUE");
            start.Environment[name] = value;
        }

        return new ChildProcess(Process.Start(start)!, readyLine);
    }

    /// <summary>Starts this bench in another role.</summary>
    public static ChildProcess StartRole(params string[] args) => Start("Bro.Bench.dll", args, "ready");

    /// <summary>Whether the process has ended (the gateway must not, whatever the chaos).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The first lines the process wrote (stdout and stderr, up to 200).</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output) return [.. _output];
        }
    }

    /// <summary>Kills the process with SIGKILL (kill -9): no shutdown, its sockets closed by the kernel mid-call.</summary>
    public void Kill() => _process.Kill();

    public Task ReadyAsync() => _ready.Task.WaitAsync(TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException)
        {
        }

        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            if (_output.Count < 200) _output.Add(line);
        }

        if (line.Contains(_readyLine, StringComparison.Ordinal))
            _ready.TrySetResult();
    }
}
