namespace Bro.Bench;

/// <summary>One scenario on one target: the callers' view plus the server process's cost.</summary>
internal sealed record Measurement(
    double CallsPerSecond, double P50Ms, double P99Ms, int Calls, double ElapsedSeconds, double ServerPeakRssMb, double ServerCpuSeconds);

/// <summary>A scenario in one encoding, on the gateway and on the floor, with the ratios.</summary>
internal sealed record ScenarioResult(string Scenario, string Description, string Encoding, Measurement Gateway, Measurement Floor)
{
    /// <summary>Gateway calls/s over the floor's: 1 is as fast as the floor.</summary>
    public double ThroughputRatio => Gateway.CallsPerSecond / Floor.CallsPerSecond;

    /// <summary>Gateway p50 over the floor's: 1 is as quick as the floor.</summary>
    public double P50Ratio => Gateway.P50Ms / Floor.P50Ms;
}

/// <summary>The whole run, as written by <c>--json</c>.</summary>
internal sealed record BenchReport(
    string Date, string Machine, int Processors, double Scale, string FloorDefinition,
    IReadOnlyList<ScenarioResult> Results, IdleResult? IdleConnections);
