namespace Bro.Protocol;

/// <summary>ERROR: the gateway could not process a frame.</summary>
/// <param name="Id">The id of the CALL it concerns, if any.</param>
/// <param name="Error">What went wrong.</param>
/// <param name="Timestamp">Epoch milliseconds at the gateway; <c>ipc-bro</c> omits it on some errors.</param>
public sealed record ErrorMessage(string? Id, ErrorInfo Error, long? Timestamp) : BroMessage
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.Error;
}
