namespace Bro.Events;

/// <summary>A CALL was forwarded to its target's connection.</summary>
/// <param name="From">The caller's service name, as the frame gave it.</param>
/// <param name="To">The target service name.</param>
/// <param name="Method">The method called.</param>
/// <param name="RequestId">The CALL's id.</param>
/// <param name="Depth">The context's depth, if the frame carried one.</param>
/// <param name="Deadline">The context's deadline (epoch ms), if the frame carried one.</param>
/// <param name="Root">The context's root, the correlation id of the whole chain, if the frame carried one.</param>
/// <param name="Chain">The services the request passed through, if the frame carried a context.</param>
public sealed record CallRouted(
    string? From,
    string To,
    string? Method,
    string RequestId,
    int? Depth,
    long? Deadline,
    string? Root = null,
    IReadOnlyList<string>? Chain = null)
    : GatewayEvent;
