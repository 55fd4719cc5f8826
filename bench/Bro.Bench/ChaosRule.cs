namespace Bro.Bench;

/// <summary>One pass/fail rule of the chaos run, with the figures it judged.</summary>
internal sealed record ChaosRule(string Name, bool Passed, string Detail);
