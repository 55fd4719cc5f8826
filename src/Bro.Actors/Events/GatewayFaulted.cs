namespace Bro.Events;

/// <summary>
/// The gateway stopped on its own: its listener could not go on (the listening socket failed).
/// It is no longer running; the cause is in its log.
/// </summary>
/// <param name="Reason">What stopped, in one line.</param>
public sealed record GatewayFaulted(string Reason) : GatewayEvent;
