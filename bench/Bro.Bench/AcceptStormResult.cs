namespace Bro.Bench;

/// <summary>
/// The accept storm on the gateway: <see cref="Connections"/> connects started at once, each
/// registering. A connect refused (listen backlog full) is counted and retried. Then all of them
/// closed at once: a probe pair's round trips just before (<see cref="ProbeBefore"/>) and during
/// (<see cref="ProbeDuringClose"/>) the close.
/// </summary>
internal sealed record AcceptStormResult(
    string Encoding, int Connections, int Registered, int RefusedConnects, int ConnectionsRetried,
    double SecondsToAllAcks, double RssBeforeMb, double RssAfterMb, ProbeLatency ProbeBefore, ProbeLatency ProbeDuringClose)
{
    /// <summary>Gateway resident set added per registered connection, in KiB (after a 1 s settle).</summary>
    public double KbPerConnection => (RssAfterMb - RssBeforeMb) * 1024 / Registered;
}
