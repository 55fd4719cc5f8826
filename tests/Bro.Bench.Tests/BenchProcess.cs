using System.Diagnostics;

namespace Bro.Bench.Tests;

/// <summary>Runs the bench (copied beside the tests) as a child process, killed if it outlives its time.</summary>
internal static class BenchProcess
{
    /// <summary>Runs <c>dotnet Bro.Bench.dll args</c>; returns its exit code and its output, stdout then stderr.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(TimeSpan limit, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Bro.Bench.dll"));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(limit);
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
