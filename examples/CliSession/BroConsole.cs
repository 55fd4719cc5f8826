using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Bro.Examples.CliSession;

/// <summary>
/// Runs <c>bro</c> subcommands against one gateway, echoing each command line and what it printed,
/// as a terminal session would show them. <c>bro</c> is Bro.Gateway.dll, built beside this example
/// (<c>dotnet Bro.Gateway.dll</c>; the <c>bro</c> command once installed as a tool).
/// </summary>
public sealed class BroConsole(string socketPath)
{
    // SIGTERM stops bro monitor as Ctrl+C (SIGINT) does. SIGINT is not used: a process started with
    // SIGINT ignored (a background job of a non-interactive shell, nohup: a CI run) keeps ignoring
    // it, and .NET honours that, so the monitor would never stop.
    private const int SigTerm = 15;

    /// <summary>Runs <c>bro {arguments} --socket {path}</c> to its end; a failure shows its exit code.</summary>
    public async Task RunAsync(params string[] arguments)
    {
        using var bro = Start(arguments, Console.WriteLine);
        await bro.WaitForExitAsync();
        bro.WaitForExit();   // drains the last redirected lines
        if (bro.ExitCode != 0)
            Console.WriteLine($"(exit code {bro.ExitCode})");
    }

    /// <summary>
    /// Runs <c>bro monitor</c>, which shows calls until Ctrl+C: <paramref name="calls"/> are made
    /// once it watches, and it is stopped (SIGTERM, as Ctrl+C would) once it showed a RESPONSE.
    /// </summary>
    public async Task MonitorAsync(Func<Task> calls)
    {
        var watching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var monitor = Start(["monitor"], line =>
        {
            Console.WriteLine(line);
            if (line.EndsWith("Ctrl+C to stop.", StringComparison.Ordinal)) watching.TrySetResult();
            if (line.Contains(" RESPONSE ", StringComparison.Ordinal)) answered.TrySetResult();
        });
        await watching.Task;
        await calls();
        await answered.Task;
        Console.WriteLine("^C");
        _ = Kill(monitor.Id, SigTerm);
        // bro monitor stops at once on SIGTERM; bounded all the same, so a session never hangs.
        try
        {
            await monitor.WaitForExitAsync().WaitAsync(StopTimeout);
        }
        catch (TimeoutException)
        {
            Console.WriteLine($"(bro monitor still running {StopTimeout.TotalSeconds:0} s after SIGTERM; killed)");
            monitor.Kill();
        }
    }

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private Process Start(string[] arguments, Action<string> onLine)
    {
        Console.WriteLine($"$ bro {string.Join(' ', arguments.Select(a => a.Contains('"') ? $"'{a}'" : a))}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Bro.Gateway.dll"));
        foreach (var argument in arguments.Append("--socket").Append(socketPath))
            start.ArgumentList.Add(argument);
        var bro = Process.Start(start)!;
        bro.OutputDataReceived += (_, e) => { if (e.Data is not null) onLine(e.Data); };
        bro.ErrorDataReceived += (_, e) => { if (e.Data is not null) onLine(e.Data); };
        bro.BeginOutputReadLine();
        bro.BeginErrorReadLine();
        return bro;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
