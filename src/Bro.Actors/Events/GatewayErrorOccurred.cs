namespace Bro.Events;

/// <summary>
/// The gateway answered a frame with an error (an error RESPONSE or an ERROR frame), or its
/// listener failed (INTERNAL_ERROR, no request id).
/// </summary>
/// <param name="Code">The error code, one of <see cref="Protocol.ErrorCodes"/>.</param>
/// <param name="Message">The error message sent.</param>
/// <param name="RequestId">The CALL's id, when the error concerns a call.</param>
public sealed record GatewayErrorOccurred(string Code, string Message, string? RequestId) : GatewayEvent;
