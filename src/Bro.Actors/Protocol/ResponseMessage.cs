namespace Bro.Protocol;

/// <summary>RESPONSE: the answer to a CALL, carrying the CALL's id and context.</summary>
/// <param name="Id">The CALL's id.</param>
/// <param name="From">The responder (the CALL's <c>to</c>).</param>
/// <param name="To">The caller (the CALL's <c>from</c>).</param>
/// <param name="Status">Success or error.</param>
/// <param name="Data">The result with <see cref="ResponseStatus.Success"/>, still encoded.</param>
/// <param name="Error">What went wrong with <see cref="ResponseStatus.Error"/>.</param>
/// <param name="Context">The CALL's context, if the responder echoed it.</param>
public sealed record ResponseMessage(
    string Id,
    string From,
    string To,
    ResponseStatus Status,
    RawValue? Data,
    ErrorInfo? Error,
    CallContext? Context) : BroMessage
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.Response;
}
