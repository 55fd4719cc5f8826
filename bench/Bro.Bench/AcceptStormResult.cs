namespace Bro.Bench;

/// <summary>
/// The accept storm on the gateway: <see cref="Connections"/> connects started at once, each
/// registering. A connect refused (listen backlog full) is counted and retried.
/// </summary>
internal sealed record AcceptStormResult(
    string Encoding, int Connections, int Registered, int RefusedConnects, int ConnectionsRetried,
    double SecondsToAllAcks, double RssBeforeMb, double RssAfterMb)
{
    /// <summary>Gateway resident set added per registered connection, in KiB (after a 1 s settle).</summary>
    public double KbPerConnection => (RssAfterMb - RssBeforeMb) * 1024 / Registered;
}
