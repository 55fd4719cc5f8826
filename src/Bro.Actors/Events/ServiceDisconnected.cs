namespace Bro.Events;

/// <summary>A connection of a service went away (closed, or evicted for silence).</summary>
/// <param name="Name">The service name.</param>
/// <param name="Reason">Why: <c>connection closed</c> or the eviction message.</param>
/// <param name="RemainingConnections">Connections the service still has; 0 means the service is gone.</param>
public sealed record ServiceDisconnected(string Name, string Reason, int RemainingConnections) : GatewayEvent
{
    /// <summary>The instance the connection belonged to (see <see cref="ServiceRegistered.InstanceId"/>). Default <c>null</c>.</summary>
    public string? InstanceId { get; init; }
}
