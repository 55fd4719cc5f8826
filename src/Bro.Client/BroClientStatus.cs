namespace Bro.Client;

/// <summary>A snapshot of a <see cref="BroClient"/>'s state, as returned by <see cref="BroClient.GetStatus"/>.</summary>
/// <param name="Connected">Whether the primary connection is open and registered.</param>
/// <param name="Registered">Whether the gateway acknowledged the REGISTER of the primary connection.</param>
/// <param name="ServiceName">The name this client registers under.</param>
/// <param name="PendingRequests">Calls sent and still waiting for their response.</param>
/// <param name="RegisteredMethods">Names of the methods this client answers.</param>
/// <param name="OpenConnections">Pooled connections currently registered (at most the pool size).</param>
public sealed record BroClientStatus(
    bool Connected,
    bool Registered,
    string ServiceName,
    int PendingRequests,
    IReadOnlyList<string> RegisteredMethods,
    int OpenConnections);
