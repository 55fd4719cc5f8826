namespace Bro.Bench;

/// <summary>
/// What a <see cref="ChaosLedger"/> counted; <see cref="WorstLateMs"/> is the latest answer past its deadline (0 when
/// none was), <see cref="WorstLate"/> the latest few, named; <see cref="LateBehindBacklog"/> the late answers whose
/// connection read at least <see cref="ChaosLedger.BacklogBytes"/> of other frames between the deadline and the answer
/// (queued ahead of it: its lateness is the reader's pace).
/// </summary>
internal sealed record ChaosTally(
    long Made,
    IReadOnlyDictionary<string, long> Outcomes,
    long Lost,
    long Duplicated,
    long Strays,
    long Unexpected,
    long JudgedForLateness,
    long Late,
    long LateBehindBacklog,
    double WorstLateMs,
    IReadOnlyList<string> WorstLate,
    IReadOnlyList<string> Samples);
