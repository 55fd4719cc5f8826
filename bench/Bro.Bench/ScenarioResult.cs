namespace Bro.Bench;

/// <summary>A scenario in one encoding, on the gateway and on the floor, with the ratios.</summary>
internal sealed record ScenarioResult(string Scenario, string Description, string Encoding, Measurement Gateway, Measurement Floor)
{
    /// <summary>Gateway calls/s over the floor's: 1 is as fast as the floor.</summary>
    public double ThroughputRatio => Gateway.CallsPerSecond / Floor.CallsPerSecond;

    /// <summary>Gateway p50 over the floor's: 1 is as quick as the floor.</summary>
    public double P50Ratio => Gateway.P50Ms / Floor.P50Ms;
}
