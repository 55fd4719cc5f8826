namespace Bro.Bench.Compare;

/// <summary>A shape on a target over every round: the runs, and the median, minimum and maximum of each figure.</summary>
internal sealed record CompareResult(string Scenario, string Description, string Target, int Calls, IReadOnlyList<CompareRun> Runs)
{
    public Spread CallsPerSecond => Spread.Of(Runs.Select(r => r.CallsPerSecond));

    public Spread P50Ms => Spread.Of(Runs.Select(r => r.P50Ms));

    public Spread P99Ms => Spread.Of(Runs.Select(r => r.P99Ms));

    public Spread ClientCpuUsPerCall => Spread.Of(Runs.Select(r => r.ClientCpuUsPerCall));

    /// <summary><c>null</c> for a target without a gateway.</summary>
    public Spread? GatewayCpuUsPerCall => Runs.All(r => r.GatewayCpuUsPerCall is not null)
        ? Spread.Of(Runs.Select(r => r.GatewayCpuUsPerCall!.Value))
        : null;

    public Spread ServerCpuUsPerCall => Spread.Of(Runs.Select(r => r.ServerCpuUsPerCall));

    public Spread TotalCpuUsPerCall => Spread.Of(Runs.Select(r => r.TotalCpuUsPerCall));

    /// <summary>The median of a figure over the rounds, and its range.</summary>
    internal sealed record Spread(double Median, double Min, double Max)
    {
        public static Spread Of(IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            if (sorted.Count == 0)
                return new Spread(double.NaN, double.NaN, double.NaN);
            var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
            return new Spread(median, sorted[0], sorted[^1]);
        }
    }
}
