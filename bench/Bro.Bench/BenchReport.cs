namespace Bro.Bench;

/// <summary>The whole run, as written by <c>--json</c>.</summary>
internal sealed record BenchReport(
    string Date, string Machine, int Processors, double Scale, string FloorDefinition,
    IReadOnlyList<ScenarioResult> Results, IdleResult? IdleConnections);
