namespace Bro.Bench;

/// <summary>One raw run on one target: the callers' view plus the server process's CPU over the measured calls only.</summary>
internal sealed record RawMeasurement(int Calls, double ElapsedSeconds, double P50Ms, double P99Ms, double ServerCpuSeconds)
{
    public double CallsPerSecond => Calls / ElapsedSeconds;

    /// <summary>Server CPU (utime + stime) per call, in microseconds; 10 ms ticks, so short runs are coarse.</summary>
    public double CpuUsPerCall => ServerCpuSeconds / Calls * 1e6;
}
