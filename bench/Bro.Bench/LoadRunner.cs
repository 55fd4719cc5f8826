using System.Diagnostics;

namespace Bro.Bench;

/// <summary>
/// Runs <c>calls</c> calls with at most <c>inFlight</c> outstanding: 1 is sequential, equal to
/// <c>calls</c> fires them all at once, in between is a pipeline. Each call's latency is kept.
/// </summary>
internal static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(int calls, int inFlight, Func<Task> call)
    {
        var latencies = new long[calls];
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        var workers = new Task[Math.Min(inFlight, calls)];
        for (var w = 0; w < workers.Length; w++)
            workers[w] = Worker();
        await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        Array.Sort(latencies);
        return new LoadResult(calls, elapsed, Percentile(latencies, 0.50), Percentile(latencies, 0.99));

        async Task Worker()
        {
            // Yield first so every worker is started before any runs a call inline.
            await Task.Yield();
            int index;
            while ((index = Interlocked.Increment(ref next)) < calls)
            {
                var begin = Stopwatch.GetTimestamp();
                await call();
                latencies[index] = Stopwatch.GetTimestamp() - begin;
            }
        }
    }

    private static TimeSpan Percentile(long[] sorted, double p) =>
        Stopwatch.GetElapsedTime(0, sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * p))]);
}
