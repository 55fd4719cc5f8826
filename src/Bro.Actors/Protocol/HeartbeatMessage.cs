namespace Bro.Protocol;

/// <summary>HEARTBEAT: a service tells the gateway it is alive.</summary>
/// <param name="From">The service's name.</param>
/// <param name="Timestamp">Epoch milliseconds at the sender.</param>
public sealed record HeartbeatMessage(string From, long Timestamp) : BroMessage
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.Heartbeat;
}
