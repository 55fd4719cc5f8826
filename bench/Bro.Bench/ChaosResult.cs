namespace Bro.Bench;

/// <summary>
/// The chaos run's report (<c>--json</c> writes it as is): what was done, every call's end
/// (<see cref="Tally"/>), the gateway's CPU and memory, and the rules with their verdicts.
/// </summary>
internal sealed record ChaosResult(
    string Date,
    string Cpu,
    int Processors,
    double Seconds,
    double GraceMs,
    long MaxLate,
    ChaosTally Tally,
    ChaosEvents Events,
    double GatewayCpuSeconds,
    double RssStartMb,
    double RssPeakMb,
    double RssEndMb,
    double RssEndLimitMb,
    bool GatewayAlive,
    IReadOnlyList<string> GatewayLogSample,
    IReadOnlyList<ChaosRule> Rules)
{
    /// <summary>Whether every rule passed: the run's exit status is 0 then, else 1.</summary>
    public bool Passed => Rules.All(r => r.Passed);
}
