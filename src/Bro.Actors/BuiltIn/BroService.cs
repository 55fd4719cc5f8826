namespace Bro.BuiltIn;

/// <summary>
/// The gateway's built-in service: a service named <c>bro</c> that every gateway answers itself,
/// so any client (an <c>ipc-bro</c> one included) can ask a gateway about itself with an
/// ordinary CALL, and no frame type is added to the protocol. The <c>bro</c> console's
/// subcommands are CALLs to it. The name is reserved: a REGISTER of it is refused.
/// </summary>
/// <remarks>
/// Results are JSON objects (MessagePack maps for a MessagePack caller) with camelCase fields,
/// the records of this namespace. The gateway's policy (<c>bro.gateway.policy</c>) applies to
/// calls to it as to any service.
/// </remarks>
public static class BroService
{
    /// <summary>The reserved service name, <c>bro</c>.</summary>
    public const string Name = "bro";

    /// <summary><c>ping</c>: answers a <see cref="PingReply"/> at once. Takes no params.</summary>
    public const string Ping = "ping";

    /// <summary><c>status</c>: answers a <see cref="StatusReport"/>. Takes no params.</summary>
    public const string Status = "status";

    /// <summary><c>services</c>: answers a list of <see cref="ServiceReport"/>, ordered by name. Takes no params.</summary>
    public const string Services = "services";

    /// <summary>
    /// <c>monitor</c>: a long poll of the CALLs and RESPONSEs routed lately. Params: a
    /// <see cref="MonitorQuery"/>; answers a <see cref="MonitorBatch"/> as soon as there is a
    /// record after the query's cursor, or when its wait ends with none.
    /// </summary>
    public const string Monitor = "monitor";

    /// <summary>
    /// <c>cluster</c>: answers a <see cref="Federation.FederationView"/>: the cluster's members and
    /// which gateway serves which service; empty (<c>self</c> empty) for a single-host gateway.
    /// Takes no params.
    /// </summary>
    public const string Cluster = "cluster";
}
