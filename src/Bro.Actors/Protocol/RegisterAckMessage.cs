namespace Bro.Protocol;

/// <summary>
/// REGISTER_ACK: the gateway accepted a registration. <c>ipc-bro</c> sends only the type;
/// a Bro gateway adds the fields below, which <c>ipc-bro</c> clients ignore.
/// </summary>
/// <param name="Gateway">The gateway's product name (<c>bro</c> for a Bro gateway), absent from <c>ipc-bro</c>.</param>
/// <param name="Version">The gateway's version.</param>
/// <param name="HeartbeatInterval">The heartbeat interval the gateway expects, in milliseconds.</param>
public sealed record RegisterAckMessage(
    string? Gateway = null,
    string? Version = null,
    long? HeartbeatInterval = null) : BroMessage
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.RegisterAck;
}
