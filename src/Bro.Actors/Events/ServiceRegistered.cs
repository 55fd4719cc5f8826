namespace Bro.Events;

/// <summary>A connection registered a service, or joined a service's pool.</summary>
/// <param name="Name">The service name.</param>
/// <param name="Methods">The methods it answers.</param>
/// <param name="Version">The version it announced, if any.</param>
/// <param name="PoolIndex">The pool index of an extra pooled connection; <c>null</c> for the first.</param>
public sealed record ServiceRegistered(string Name, IReadOnlyList<string> Methods, string? Version, int? PoolIndex)
    : GatewayEvent
{
    /// <summary>
    /// The instance the connection belongs to: its <c>metadata.instanceId</c>, or the id the
    /// gateway gave it (<c>instance-N</c>). Default <c>null</c> (not set by the registry).
    /// </summary>
    public string? InstanceId { get; init; }
}
