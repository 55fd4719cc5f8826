using System.Runtime;

namespace Bro.Bench;

/// <summary>
/// The calling process's runtime activity over a measured phase: collections by generation, the
/// GC's pauses and the JIT's time. A caller's CPU per call includes both, and both depend on the
/// process's history (what ran before, how warm the code is) rather than on the call itself.
/// </summary>
internal readonly record struct RuntimeCounters(int Gen0, int Gen1, int Gen2, TimeSpan Pause, TimeSpan Jit, long JitMethods)
{
    public static RuntimeCounters Now() => new(
        GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(),
        JitInfo.GetCompilationTime(), JitInfo.GetCompiledMethodCount());

    /// <summary>What happened since <paramref name="before"/>, as one line's tail.</summary>
    public string Since(RuntimeCounters before) =>
        $"gc {Gen0 - before.Gen0}/{Gen1 - before.Gen1}/{Gen2 - before.Gen2} (pause {(Pause - before.Pause).TotalMilliseconds:N0} ms)" +
        $"  jit {(Jit - before.Jit).TotalMilliseconds:N0} ms ({JitMethods - before.JitMethods} methods)";
}
