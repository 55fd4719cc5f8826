namespace Bro.Bench;

/// <summary>
/// The whole run, as written by <c>--json</c>: the client driver's <see cref="Results"/> (empty
/// when it did not run) and the raw driver's <see cref="Raw"/> (<c>null</c> when it did not).
/// </summary>
internal sealed record BenchReport(
    string Date, string Machine, int Processors, double Scale, string FloorDefinition,
    IReadOnlyList<ScenarioResult> Results, IdleResult? IdleConnections, RawReport? Raw);
