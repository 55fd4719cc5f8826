namespace Bro.Bench;

/// <summary>What one load run measured on the calling side.</summary>
internal sealed record LoadResult(int Calls, TimeSpan Elapsed, TimeSpan P50, TimeSpan P99)
{
    public double CallsPerSecond => Calls / Elapsed.TotalSeconds;
}
