namespace Bro.Bench;

/// <summary>A raw driver workload: caller/callee pairs running at once, each with its calls and its calls in flight.</summary>
internal sealed record RawScenario(string Name, string Description, int Pairs, int CallsPerPair, int InFlightPerPair)
{
    public int Calls => Pairs * CallsPerPair;

    /// <summary>Every raw scenario at <paramref name="scale"/> times its full call count.</summary>
    /// <remarks>
    /// The pipelined scenarios keep 1,000 calls in flight in total (1,000 / pairs per caller), so
    /// only the number of connections changes between them; the sequential ones have one call in
    /// flight per pair.
    /// </remarks>
    public static IReadOnlyList<RawScenario> All(double scale)
    {
        int N(int full, int min) => Math.Max(min, (int)(full * scale));
        var pipelined = N(300_000, 20_000);
        var sequential = N(30_000, 2_000);
        return
        [
            new("raw-pipelined", "1 pair, 1,000 in flight, no-op", 1, pipelined, 1_000),
            new("raw-pipelined-x4", "4 pairs, 250 in flight each (1,000 in all), no-op", 4, pipelined / 4, 250),
            new("raw-pipelined-x16", "16 pairs, 62 in flight each (992 in all), no-op", 16, pipelined / 16, 62),
            new("raw-seq", "1 pair, sequential no-op", 1, sequential, 1),
            new("raw-seq-x4", "4 pairs, each sequential", 4, sequential / 4, 1),
            new("raw-seq-x16", "16 pairs, each sequential", 16, sequential / 16, 1),
        ];
    }
}
