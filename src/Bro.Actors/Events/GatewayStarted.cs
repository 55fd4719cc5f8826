namespace Bro.Events;

/// <summary>The gateway listens.</summary>
/// <param name="SocketPath">The socket it listens on.</param>
public sealed record GatewayStarted(string SocketPath) : GatewayEvent;
