namespace Bro.Bench;

/// <summary>The raw driver's part of the report (<c>raw</c> in the JSON).</summary>
internal sealed record RawReport(
    string Definition, IReadOnlyList<RawResult> Results, IReadOnlyList<ColdWarmResult> ColdWarm, IReadOnlyList<AcceptStormResult> AcceptStorms);
