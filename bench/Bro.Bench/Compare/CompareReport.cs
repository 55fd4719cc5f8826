namespace Bro.Bench.Compare;

/// <summary>
/// The comparison as written by <c>--json</c> with <c>--driver compare</c> or <c>--driver grpc</c>:
/// every shape on every target over <see cref="Rounds"/> rounds, the targets' order rotated each round.
/// <see cref="Incidents"/> names each shape that hung (its figures then come from fewer rounds).
/// </summary>
internal sealed record CompareReport(
    string Date, string Machine, int Processors, double Scale, int Rounds, IReadOnlyList<string> Targets, string Definition,
    IReadOnlyList<CompareResult> Results, IReadOnlyList<string> Incidents);
