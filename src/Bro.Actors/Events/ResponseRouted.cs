namespace Bro.Events;

/// <summary>A RESPONSE was forwarded to the caller's connection.</summary>
/// <param name="From">The responder, as the frame gave it.</param>
/// <param name="To">The caller, as the frame gave it.</param>
/// <param name="Status">
/// The response status when the gateway knows it; <c>null</c> on the fast path, which reads
/// only the routing fields of the frame.
/// </param>
/// <param name="RequestId">The CALL's id.</param>
public sealed record ResponseRouted(string? From, string? To, Protocol.ResponseStatus? Status, string? RequestId)
    : GatewayEvent;
