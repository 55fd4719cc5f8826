namespace Bro.Bench;

/// <summary>A raw scenario in one encoding, on the gateway and on the floor, with the ratios.</summary>
internal sealed record RawResult(string Scenario, string Description, string Encoding, RawMeasurement Gateway, RawMeasurement Floor)
{
    /// <summary>Gateway calls/s over the floor's: 1 is as fast as the floor.</summary>
    public double ThroughputRatio => Gateway.CallsPerSecond / Floor.CallsPerSecond;

    /// <summary>Gateway p50 over the floor's.</summary>
    public double P50Ratio => Gateway.P50Ms / Floor.P50Ms;

    /// <summary>Gateway CPU per call over the floor's.</summary>
    public double CpuRatio => Gateway.CpuUsPerCall / Floor.CpuUsPerCall;
}
