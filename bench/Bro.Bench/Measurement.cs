namespace Bro.Bench;

/// <summary>One scenario on one target: the callers' view plus the server process's cost.</summary>
internal sealed record Measurement(
    double CallsPerSecond, double P50Ms, double P99Ms, int Calls, double ElapsedSeconds, double ServerPeakRssMb, double ServerCpuSeconds);
