namespace Bro.Events;

/// <summary>
/// Base of every event the gateway publishes on <c>ActorSystem.EventStream</c>. Subscribe to
/// this type to receive them all. Events are published only when the actors were created with
/// events enabled (publishing per call has a cost), which a facade does when someone subscribes.
/// </summary>
public abstract record GatewayEvent;
