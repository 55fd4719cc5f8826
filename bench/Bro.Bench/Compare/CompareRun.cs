namespace Bro.Bench.Compare;

/// <summary>
/// One shape on one target in one round: the caller's view, and the CPU time (utime + stime)
/// each process spent during the timed calls, per call. <see cref="GatewayCpuUsPerCall"/> is
/// <c>null</c> for a target without a gateway.
/// </summary>
internal sealed record CompareRun(
    int Round, double CallsPerSecond, double P50Ms, double P99Ms, double ElapsedSeconds,
    double ClientCpuUsPerCall, double? GatewayCpuUsPerCall, double ServerCpuUsPerCall)
{
    /// <summary>All the target's processes together.</summary>
    public double TotalCpuUsPerCall => ClientCpuUsPerCall + (GatewayCpuUsPerCall ?? 0) + ServerCpuUsPerCall;
}
