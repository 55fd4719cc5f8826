namespace Bro.Bench;

/// <summary>The chaos the run inflicted, counted: kills, abrupt closes (callees' and a caller's own), pauses, bursts and the vandal's acts.</summary>
internal sealed record ChaosEvents(
    long CalleeKills,
    long CalleeAborts,
    long PoolMemberAborts,
    long CallerQuits,
    long RegisterRefusalsRetried,
    long SlowReaderPauses,
    long SlowConsumersDropped,
    long Bursts,
    long GreedyRounds,
    IReadOnlyDictionary<string, long> VandalActs);
