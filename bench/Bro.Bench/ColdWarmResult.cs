namespace Bro.Bench;

/// <summary>
/// A fresh server's first pipelined run ("cold", after a 2,000-call warm-up) against the same run
/// repeated in the same process ("warm": the median of the repeats, calls/s and CPU each).
/// </summary>
internal sealed record ColdWarmResult(string Target, string Encoding, RawMeasurement Cold, IReadOnlyList<RawMeasurement> WarmRuns)
{
    public int Calls => Cold.Calls;

    public double WarmCallsPerSecond => Median(WarmRuns.Select(r => r.CallsPerSecond));

    public double WarmCpuUsPerCall => Median(WarmRuns.Select(r => r.CpuUsPerCall));

    /// <summary>Cold calls/s over warm: below 1 means the fresh process is slower.</summary>
    public double ThroughputRatio => Cold.CallsPerSecond / WarmCallsPerSecond;

    /// <summary>Cold CPU per call over warm: above 1 means the fresh process spends more (JIT, tiering).</summary>
    public double CpuRatio => Cold.CpuUsPerCall / WarmCpuUsPerCall;

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
