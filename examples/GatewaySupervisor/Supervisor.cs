using System.Diagnostics;
using System.Runtime.InteropServices;
using Bro.Protocol;

namespace Bro.Examples.GatewaySupervisor;

/// <summary>
/// Runs the <c>bro</c> console (<c>bro serve --json</c>) as a child process and starts it again
/// whenever it exits without being asked to, as systemd does for deploy/bro-gateway.service
/// (<c>Restart=on-failure</c>). Restarts back off (100 ms, 200 ms, ... 30 s) while the gateway
/// keeps dying quickly, and start over at 100 ms after a run of 10 s or more.
/// </summary>
public sealed class Supervisor(string socketPath) : IAsyncDisposable
{
    private static readonly TimeSpan FirstRestartDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StableRun = TimeSpan.FromSeconds(10);
    private const int SigTerm = 15;

    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Process? _gateway;
    private Task _loop = Task.CompletedTask;

    /// <summary>The gateway's socket.</summary>
    public string SocketPath => socketPath;

    /// <summary>Starts the gateway; completes once it first listens.</summary>
    public Task StartAsync()
    {
        _loop = SuperviseAsync();
        return _listening.Task;
    }

    /// <summary>Kills the gateway with SIGKILL: a crash, which leaves its socket file behind.</summary>
    public void Crash()
    {
        Console.WriteLine($"supervisor: killing the gateway (pid {_gateway!.Id}) to simulate a crash");
        _gateway.Kill();
    }

    /// <summary>Stops supervising and stops the gateway with SIGTERM, as a service manager would.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_gateway is { HasExited: false } gateway)
        {
            Console.WriteLine($"supervisor: stopping the gateway (pid {gateway.Id}) with SIGTERM");
            _ = Kill(gateway.Id, SigTerm);
        }
        await _loop;
        _gateway?.Dispose();
    }

    private async Task SuperviseAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            _gateway?.Dispose();
            var gateway = _gateway = StartGateway();
            var startedAt = Stopwatch.GetTimestamp();
            await gateway.WaitForExitAsync();
            if (_stopping.IsCancellationRequested)
                return;

            if (Stopwatch.GetElapsedTime(startedAt) >= StableRun)
                attempt = 0;
            var delay = Backoff.Delay(attempt, FirstRestartDelay);
            Console.WriteLine($"supervisor: the gateway exited with code {gateway.ExitCode}; restarting it in {delay.TotalMilliseconds} ms");
            try
            {
                await Task.Delay(delay, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;   // stopped while waiting to restart
            }
        }
    }

    private Process StartGateway()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "Bro.Gateway.dll"), "serve", "--json", "--socket", socketPath })
            start.ArgumentList.Add(argument);
        var gateway = Process.Start(start)!;
        // With --json, `bro serve` writes one JSON object a line: "started" once it listens.
        gateway.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("\"event\":\"started\"", StringComparison.Ordinal) != true)
                return;
            Console.WriteLine($"supervisor: the gateway (pid {gateway.Id}) listens on {socketPath}");
            _listening.TrySetResult();
        };
        gateway.BeginOutputReadLine();
        return gateway;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
