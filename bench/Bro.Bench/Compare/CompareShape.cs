namespace Bro.Bench.Compare;

/// <summary>One workload of the comparison: an echo of <see cref="PayloadBytes"/>, so many calls, so many outstanding.</summary>
internal sealed record CompareShape(string Name, string Description, int PayloadBytes, int Calls, int InFlight)
{
    /// <summary>
    /// The first pipelined calls of fresh processes, before any warm-up (100,000 at full scale):
    /// against <c>pipelined-echo-64</c>, measured later in the same processes, it is cold against warm.
    /// </summary>
    public static CompareShape Cold(double scale) =>
        new("cold-pipelined-echo-64", "the first pipelined 64 B echoes of fresh processes, 1,000 in flight", 64, N(100_000, 2_000, scale), 1_000);

    /// <summary>The measured shapes at <paramref name="scale"/> times their full call counts; each is warmed up before it is timed.</summary>
    public static IReadOnlyList<CompareShape> All(double scale) =>
    [
        new("seq-echo-64", "sequential echo of 64 B", 64, N(5_000, 100, scale), 1),
        new("seq-echo-1k", "sequential echo of 1 KB", 1024, N(5_000, 100, scale), 1),
        new("seq-echo-100k", "sequential echo of 100 KB", 100 * 1024, N(1_000, 50, scale), 1),
        new("seq-echo-1m", "sequential echo of 1 MB", 1024 * 1024, N(200, 20, scale), 1),
        new("pipelined-echo-64", "echo of 64 B, 1,000 in flight", 64, N(50_000, 2_000, scale), 1_000),
        // Not one of the shapes: whether the pipelined ranking holds at a tenth of the depth.
        new("pipelined-echo-64-x100", "echo of 64 B, 100 in flight", 64, N(30_000, 1_000, scale), 100),
    ];

    private static int N(int full, int min, double scale) => Math.Max(min, (int)(full * scale));
}
