using Bro.Protocol;
using Bro.Security;

namespace Bro.Events;

/// <summary>A connection registered a service, or joined a service's pool.</summary>
/// <param name="Name">The service name.</param>
/// <param name="Methods">The methods it answers.</param>
/// <param name="Version">The version it announced, if any.</param>
/// <param name="PoolIndex">The pool index of an extra pooled connection; <c>null</c> for the first.</param>
/// <param name="Metadata">The metadata it announced, still encoded, if any.</param>
/// <param name="Credentials">Who is at the other end (the kernel's <c>SO_PEERCRED</c>); <c>null</c>
/// where the platform cannot tell (off Linux).</param>
public sealed record ServiceRegistered(
    string Name,
    IReadOnlyList<string> Methods,
    string? Version,
    int? PoolIndex,
    RawValue? Metadata = null,
    PeerCredentials? Credentials = null)
    : GatewayEvent
{
    /// <summary>
    /// The instance the connection belongs to: its <c>metadata.instanceId</c>, or the id the
    /// gateway gave it (<c>instance-N</c>). Default <c>null</c> (not set by the registry).
    /// </summary>
    public string? InstanceId { get; init; }
}
