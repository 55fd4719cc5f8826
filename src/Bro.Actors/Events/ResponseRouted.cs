namespace Bro.Events;

/// <summary>A RESPONSE was forwarded to the caller's connection.</summary>
/// <param name="From">The responder, as the frame gave it.</param>
/// <param name="To">The caller, as the frame gave it.</param>
/// <param name="Status">The response's status.</param>
/// <param name="RequestId">The CALL's id.</param>
/// <param name="ErrorCode">The error's code, for an error RESPONSE that has one.</param>
public sealed record ResponseRouted(string? From, string? To, Protocol.ResponseStatus? Status, string? RequestId, string? ErrorCode = null)
    : GatewayEvent;
