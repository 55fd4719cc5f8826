namespace Bro.Protocol;

/// <summary>CALL: a request from one service to a method of another.</summary>
/// <param name="Id">Unique request id, e.g. <c>req-1699005123456-a7f3e9</c>.</param>
/// <param name="From">The caller's service name.</param>
/// <param name="To">The target's service name.</param>
/// <param name="Method">The target method.</param>
/// <param name="Params">The arguments, still encoded; <c>null</c> when the field is absent.</param>
/// <param name="Context">The call chain's context.</param>
public sealed record CallMessage(
    string Id,
    string From,
    string To,
    string Method,
    RawValue? Params,
    CallContext Context) : BroMessage
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.Call;
}
