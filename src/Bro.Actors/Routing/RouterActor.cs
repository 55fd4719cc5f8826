using Akka.Actor;
using Akka.Event;
using Bro.Configuration;

namespace Bro.Routing;

/// <summary>
/// The router's clock and its window to the outside: on its timer it has the
/// <see cref="CallRouter"/> answer every call past its deadline, and it answers for the
/// router's counters. The routing itself happens on the connections' own threads (see
/// <see cref="CallRouter"/>): no actor sits between a socket and the socket a frame goes to.
/// </summary>
/// <remarks>
/// The sweep runs on an actor timer, not a thread timer, so tests drive it with Akka's
/// TestScheduler and the router's deadlines follow the same virtual clock.
/// </remarks>
internal sealed class RouterActor : ReceiveActor, IWithTimers
{
    /// <summary>Asks for the router's counters; answered with <see cref="GatewayStats"/>. Rare: Ask is fine.</summary>
    public sealed record GetStats
    {
        /// <summary>The single instance.</summary>
        public static GetStats Instance { get; } = new();
        private GetStats() { }
    }

    /// <summary>Timer message: check for slow consumers, and for calls past their deadline the alarm has not answered.</summary>
    internal sealed record SweepTick : IDeadLetterSuppression, INotInfluenceReceiveTimeout
    {
        public static SweepTick Instance { get; } = new();
        private SweepTick() { }
    }

    private const string SweepTimerKey = "pending-sweep";

    private readonly GatewaySettings _settings;
    private readonly CallRouter _router;

    /// <summary>The actor's timers; set by Akka before the actor starts.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    public RouterActor(GatewaySettings settings, CallRouter router)
    {
        _settings = settings;
        _router = router;
        Receive<SweepTick>(_ => router.Sweep());
        Receive<GetStats>(_ => Sender.Tell(router.Stats()));
    }

    internal static Props Props(GatewaySettings settings, CallRouter router) =>
        Akka.Actor.Props.Create(() => new RouterActor(settings, router));

    /// <inheritdoc />
    protected override void PreStart() =>
        Timers.StartPeriodicTimer(SweepTimerKey, SweepTick.Instance, _settings.PendingSweepInterval);

    /// <inheritdoc />
    protected override void PostStop() => _router.Dispose();
}
