using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit.Abstractions;

namespace Bro.Examples.Tests.Support;

/// <summary>
/// One example run as a real process (<c>dotnet Bro.Examples.X.dll</c>, from the example's own
/// build output), its stdout and stderr collected line by line so a test can wait for what it
/// says. Disposing kills it if it still runs and copies its output to the test's log.
/// </summary>
public sealed class ExampleProcess : IAsyncDisposable
{
    /// <summary>How long a line or an exit is awaited before the test fails: a bound for a hung
    /// example on a busy machine, not a measure of speed.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private const int SigTerm = 15;

    private readonly Process _process;
    private readonly ITestOutputHelper _log;
    private readonly List<string> _lines = [];
    private readonly List<(string Text, TaskCompletionSource<string> Seen)> _waiters = [];

    private ExampleProcess(Process process, ITestOutputHelper log)
    {
        _process = process;
        _log = log;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Every line written so far, stdout and stderr interleaved.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines) return [.. _lines];
        }
    }

    /// <summary>
    /// Starts example <paramref name="name"/> (the project <c>Bro.Examples.{name}</c>) with
    /// <paramref name="environment"/> and <paramref name="arguments"/>. <c>BRO_SOCKET</c> is the
    /// given one or unset, never that of whoever runs the tests, so that an example without it
    /// starts a gateway of its own.
    /// </summary>
    public static ExampleProcess Start(
        string name, ITestOutputHelper log, IReadOnlyDictionary<string, string>? environment = null, params string[] arguments) =>
        StartAssembly(BuiltAssembly.PathOf($"Bro.Examples.{name}"), log, environment, arguments);

    /// <summary>Starts <c>dotnet {assemblyPath} {arguments}</c> as <see cref="Start"/> does.</summary>
    public static ExampleProcess StartAssembly(
        string assemblyPath, ITestOutputHelper log, IReadOnlyDictionary<string, string>? environment = null, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assemblyPath);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment.Remove("BRO_SOCKET");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        return new ExampleProcess(Process.Start(start)!, log);
    }

    /// <summary>Runs example <paramref name="name"/> to its end; its exit code and its lines.</summary>
    public static async Task<(int ExitCode, IReadOnlyList<string> Lines)> RunAsync(
        string name, ITestOutputHelper log, IReadOnlyDictionary<string, string>? environment = null)
    {
        await using var example = Start(name, log, environment);
        var exitCode = await example.WaitForExitAsync();
        return (exitCode, example.Lines);
    }

    /// <summary>Completes with the first line (already written or to come) containing <paramref name="text"/>.</summary>
    public Task<string> WaitForLineAsync(string text)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            var line = _lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null) seen.SetResult(line);
            else _waiters.Add((text, seen));
        }

        return seen.Task.WaitAsync(Patience);
    }

    /// <summary>Sends SIGTERM, as a service manager stopping it would.</summary>
    public void Terminate() => _ = Kill(_process.Id, SigTerm);

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Patience);
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
        foreach (var line in Lines)
            _log.WriteLine(line);
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
                if (!line.Contains(_waiters[i].Text, StringComparison.Ordinal)) continue;
                _waiters[i].Seen.TrySetResult(line);
                _waiters.RemoveAt(i);
            }
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
