using System.Diagnostics;

namespace Bro.Bench;

/// <summary>The median and the worst of a probe's sequential round trips, in milliseconds.</summary>
internal sealed record ProbeLatency(double P50Ms, double MaxMs)
{
    /// <summary>From latencies in <see cref="Stopwatch"/> ticks.</summary>
    public static ProbeLatency Of(long[] latencies)
    {
        var sorted = latencies.Order().ToArray();
        static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        return new ProbeLatency(Ms(sorted[sorted.Length / 2]), Ms(sorted[^1]));
    }
}
