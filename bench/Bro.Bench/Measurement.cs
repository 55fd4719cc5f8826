namespace Bro.Bench;

/// <summary>
/// One scenario on one target: the callers' view plus the server process's cost, and the cost of
/// the BroClients at both ends: the driver's own process (callers only) and the callee processes.
/// </summary>
internal sealed record Measurement(
    double CallsPerSecond, double P50Ms, double P99Ms, int Calls, double ElapsedSeconds, double ServerPeakRssMb, double ServerCpuSeconds,
    double ClientCpuSeconds, double CalleeCpuSeconds, long ClientAllocatedBytes)
{
    /// <summary>CPU of the calling process per call, in µs.</summary>
    public double ClientCpuMicrosPerCall => ClientCpuSeconds * 1e6 / Calls;

    /// <summary>CPU of the callee processes per call, in µs.</summary>
    public double CalleeCpuMicrosPerCall => CalleeCpuSeconds * 1e6 / Calls;

    /// <summary>Bytes the calling process allocated per call.</summary>
    public double ClientBytesPerCall => (double)ClientAllocatedBytes / Calls;
}
