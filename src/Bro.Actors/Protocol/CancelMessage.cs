namespace Bro.Protocol;

/// <summary>
/// CANCEL: a Bro extension of the protocol. From a caller to the gateway: "I gave up on my call
/// <paramref name="Id"/>; no RESPONSE is owed to me any more". From the gateway to a callee: "the
/// call you were given as <paramref name="Id"/> was abandoned; stop working on it, your answer
/// will be dropped". The gateway sends it only to connections whose REGISTER announced
/// <see cref="BroFeatures.Cancel"/>, so <c>ipc-bro</c> peers never see one.
/// </summary>
/// <param name="Id">The call's id as the receiver knows it: the caller's own id on the way in,
/// the id the callee was given (which the gateway may have rewritten) on the way out.</param>
/// <param name="From">The caller's service name.</param>
/// <param name="To">The callee's service name.</param>
/// <param name="Reason">Why the call was abandoned, one of <see cref="CancelReasons"/>; optional.</param>
public sealed record CancelMessage(string Id, string From, string To, string? Reason = null) : BroMessage
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.Cancel;
}
