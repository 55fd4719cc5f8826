using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Bro.Configuration;
using Bro.Connection;
using Bro.Events;
using Bro.Protocol;

namespace Bro.Routing;

/// <summary>
/// Routes CALL frames to a connection of the target service (round-robin over a pool) and
/// RESPONSE frames back to the exact connection that sent the CALL. Answers, with an error
/// RESPONSE, every call the gateway knows cannot succeed: unknown target, passed deadline,
/// chain too deep, target connection lost. One state only.
/// </summary>
/// <remarks>
/// <para>The routing table comes from the registry (<see cref="ServicesChanged"/>); the router
/// never asks for it. Calls in flight are kept by request id with their deadline; a periodic
/// sweep answers and drops the expired ones, so the table is bounded by rate × request lifetime
/// whatever the peers do.</para>
/// <para>Death-watch: the router watches every connection that appears in a routing table, so
/// a caller that goes away has its calls dropped and a target that goes away has its callers
/// answered, even before the registry's next table arrives. A CALL from a connection that never
/// registered (the connection actor should not route those) is still answered and swept at its
/// deadline; it is only not watched.</para>
/// <para>Hot path: a routed CALL costs one dictionary lookup (target) and one insert (pending);
/// a routed RESPONSE one removal. Frames travel as their original bytes.</para>
/// </remarks>
public sealed class RouterActor : ReceiveActor, IWithTimers
{
    /// <summary>
    /// A CALL frame received on a connection. Sender: the caller's connection actor, which
    /// receives the error RESPONSE if the call cannot be routed, and later the RESPONSE.
    /// </summary>
    /// <param name="Header">The frame's routing fields.</param>
    /// <param name="Payload">The frame's payload (no length prefix), forwarded untouched.</param>
    /// <param name="Encoding">The payload's encoding.</param>
    public sealed record RouteCall(FrameHeader Header, ByteString Payload, BroEncoding Encoding);

    /// <summary>A RESPONSE frame received on a connection. Sender: the responder's connection actor.</summary>
    /// <param name="Header">The frame's routing fields.</param>
    /// <param name="Payload">The frame's payload (no length prefix), forwarded untouched.</param>
    /// <param name="Encoding">The payload's encoding.</param>
    public sealed record RouteResponse(FrameHeader Header, ByteString Payload, BroEncoding Encoding);

    /// <summary>
    /// A target connection could not write a CALL it was delivered (its peer's encoding cannot
    /// express a value of it). Sender: that connection. The caller is answered with
    /// <paramref name="Error"/> at once, and the call leaves the pending table.
    /// </summary>
    /// <param name="Id">The CALL's id.</param>
    /// <param name="Error">Why it could not be delivered.</param>
    public sealed record DeliveryFailed(string Id, ErrorInfo Error);

    /// <summary>
    /// Sent by the registry whenever its services change. Calls in flight to a connection in
    /// <paramref name="Removed"/> are answered at once with CONNECTION_LOST, calls made from it dropped.
    /// </summary>
    /// <param name="Table">The new routing table, replacing the previous one.</param>
    /// <param name="Removed">Connections that left (closed or evicted) since the previous table.</param>
    public sealed record ServicesChanged(RoutingTable Table, IReadOnlyList<IActorRef> Removed);

    /// <summary>Asks for the router's counters; answered with <see cref="GatewayStats"/>. Rare: Ask is fine.</summary>
    public sealed record GetStats
    {
        /// <summary>The single instance.</summary>
        public static GetStats Instance { get; } = new();
        private GetStats() { }
    }

    /// <summary>Timer message: drop calls in flight past their deadline.</summary>
    internal sealed record SweepTick : IDeadLetterSuppression, INotInfluenceReceiveTimeout
    {
        public static SweepTick Instance { get; } = new();
        private SweepTick() { }
    }

    private sealed class Route(IActorRef[] connections)
    {
        public readonly IActorRef[] Connections = connections;
        public int Next;

        public IActorRef Pick()
        {
            var c = Connections;
            if (c.Length == 1) return c[0];
            var i = Next;
            if (i >= c.Length) i = 0;
            Next = i + 1;
            return c[i];
        }
    }

    private sealed record PendingCall(IActorRef Caller, IActorRef Target, string? CallerName, string TargetName, long Deadline);

    private const string SweepTimerKey = "pending-sweep";

    private readonly GatewaySettings _settings;
    private readonly ITimeProvider? _injectedTime;
    private ITimeProvider _time = null!;
    private readonly bool _publishEvents;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private Dictionary<string, Route> _routes = new(StringComparer.Ordinal);
    private readonly HashSet<IActorRef> _watched = [];
    private readonly Dictionary<string, PendingCall> _pending = new(StringComparer.Ordinal);
    private readonly List<string> _scratch = [];

    private long _callsRouted;
    private long _responsesRouted;
    private long _responsesDropped;
    private readonly Dictionary<string, long> _errors = new(StringComparer.Ordinal);

    /// <summary>The actor's timers; set by Akka before the actor starts.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Creates the router; use <see cref="Props"/>.</summary>
    public RouterActor(GatewaySettings settings, ITimeProvider? timeProvider, bool publishEvents)
    {
        _settings = settings;
        _injectedTime = timeProvider;
        _publishEvents = publishEvents;

        Receive<RouteCall>(OnRouteCall);
        Receive<RouteResponse>(OnRouteResponse);
        Receive<DeliveryFailed>(OnDeliveryFailed);
        Receive<ServicesChanged>(OnServicesChanged);
        Receive<SweepTick>(_ => Sweep());
        Receive<Terminated>(t => ConnectionGone(t.ActorRef, "terminated"));
        Receive<GetStats>(_ => Sender.Tell(Stats()));
    }

    /// <summary>Props for the router.</summary>
    /// <param name="settings">Gateway settings: max depth, request timeout, sweep interval, debug.</param>
    /// <param name="timeProvider">The clock for deadlines; <c>null</c> uses the actor system's scheduler.</param>
    /// <param name="publishEvents">Publish <see cref="CallRouted"/>, <see cref="ResponseRouted"/> and
    /// <see cref="GatewayErrorOccurred"/> on the event stream. Off by default: it costs per frame.</param>
    public static Props Props(GatewaySettings settings, ITimeProvider? timeProvider = null, bool publishEvents = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Akka.Actor.Props.Create(() => new RouterActor(settings, timeProvider, publishEvents));
    }

    /// <inheritdoc />
    protected override void PreStart()
    {
        _time = _injectedTime ?? Context.System.Scheduler;
        Timers.StartPeriodicTimer(SweepTimerKey, SweepTick.Instance, _settings.PendingSweepInterval);
    }

    private long NowMs() => _time.Now.ToUnixTimeMilliseconds();

    private void OnRouteCall(RouteCall call)
    {
        var h = call.Header;
        var caller = Sender;
        if (h.Id is null || h.To is null)
        {
            // Without an id no RESPONSE can be matched by the caller: answer with ERROR.
            var message = $"CALL without {(h.Id is null ? "id" : "to")} cannot be routed";
            CountError(ErrorCodes.InvalidMessage, message, h.Id);
            caller.Tell(new ConnectionCommands.Send(new ErrorMessage(h.Id, new ErrorInfo(message, ErrorCodes.InvalidMessage), NowMs())), Self);
            return;
        }

        if (h.Depth is { } depth && depth > _settings.MaxDepth)
        {
            Reject(caller, h, ErrorCodes.MaxDepthExceeded,
                $"Call depth {depth} exceeds the maximum of {_settings.MaxDepth}");
            return;
        }

        var now = NowMs();
        if (h.Deadline is { } deadline && deadline <= now)
        {
            Reject(caller, h, ErrorCodes.DeadlineExceeded,
                $"Deadline exceeded by {now - deadline} ms before the gateway routed the call to '{h.To}'");
            return;
        }

        if (!_routes.TryGetValue(h.To, out var route))
        {
            Reject(caller, h, ErrorCodes.ServiceNotFound, $"Target service '{h.To}' not found");
            return;
        }

        var target = route.Pick();
        // Ids are unique per protocol; a reused id replaces the older entry (ipc-bro does the same).
        _pending[h.Id] = new PendingCall(caller, target, h.From, h.To,
            h.Deadline ?? now + (long)_settings.RequestTimeout.TotalMilliseconds);
        target.Tell(new ConnectionCommands.Deliver(call.Payload, call.Encoding), Self);
        _callsRouted++;

        if (_settings.Debug && _log.IsDebugEnabled)
            _log.Debug("CALL {0} {1} -> {2}.{3} routed to {4}", h.Id, h.From, h.To, h.Method, target.Path);
        if (_publishEvents)
            Context.System.EventStream.Publish(new CallRouted(h.From, h.To, h.Method, h.Id, h.Depth, h.Deadline));
    }

    private void OnRouteResponse(RouteResponse response)
    {
        var h = response.Header;
        IActorRef destination;
        if (h.Id is not null && _pending.Remove(h.Id, out var pending))
        {
            // The connection that sent the CALL, whatever the RESPONSE's `to` says.
            destination = pending.Caller;
        }
        else if (h.To is not null && _routes.TryGetValue(h.To, out var route))
        {
            // Unknown id (expired, or never seen): ipc-bro falls back to the `to` service's
            // connection. The pool's first connection is the service's primary one.
            destination = route.Connections[0];
        }
        else
        {
            _responsesDropped++;
            if (_log.IsDebugEnabled)
                _log.Debug("RESPONSE {0} from {1} to {2} dropped: no call in flight and no such service", h.Id, h.From, h.To);
            return;
        }

        destination.Tell(new ConnectionCommands.Deliver(response.Payload, response.Encoding), Self);
        _responsesRouted++;

        if (_settings.Debug && _log.IsDebugEnabled)
            _log.Debug("RESPONSE {0} {1} -> {2} routed to {3}", h.Id, h.From, h.To, destination.Path);
        if (_publishEvents)
            Context.System.EventStream.Publish(new ResponseRouted(h.From, h.To, null, h.Id));
    }

    private void OnDeliveryFailed(DeliveryFailed failed)
    {
        if (_pending.Remove(failed.Id, out var pending))
            Reject(pending.Caller, failed.Id, pending.TargetName, pending.CallerName, failed.Error.Code ?? ErrorCodes.InternalError, failed.Error.Message);
    }

    private void OnServicesChanged(ServicesChanged changed)
    {
        // Rare (registrations, disconnections): rebuild the lookup, keeping round-robin positions.
        var routes = new Dictionary<string, Route>(changed.Table.Services.Count, StringComparer.Ordinal);
        foreach (var (name, connections) in changed.Table.Services)
        {
            if (connections.IsDefaultOrEmpty) continue;
            var route = new Route([.. connections]);
            if (_routes.TryGetValue(name, out var old)) route.Next = old.Next;
            routes[name] = route;
            foreach (var connection in connections)
            {
                // Watch every connection we may route to or from, so a lost one is noticed even if
                // its Terminated reaches us before the registry's update.
                if (_watched.Add(connection)) Context.Watch(connection);
            }
        }
        _routes = routes;

        foreach (var removed in changed.Removed)
            ConnectionGone(removed, "removed by the registry");
    }

    /// <summary>
    /// A connection closed or was evicted. Idempotent: the registry's update and our own
    /// death-watch may both report the same connection, in either order.
    /// </summary>
    private void ConnectionGone(IActorRef connection, string why)
    {
        if (_watched.Remove(connection)) Context.Unwatch(connection);
        if (_pending.Count == 0) return;

        // A scan, not an index by connection: losing a connection is rare, and an index would
        // cost every routed call an extra insert and removal.
        _scratch.Clear();
        foreach (var (id, p) in _pending)
            if (p.Target.Equals(connection) || p.Caller.Equals(connection))
                _scratch.Add(id);

        foreach (var id in _scratch)
        {
            var p = _pending[id];
            _pending.Remove(id);
            if (p.Caller.Equals(connection)) continue; // nobody left to answer
            Reject(p.Caller, id, p.TargetName, p.CallerName, ErrorCodes.ConnectionLost,
                $"Connection to service '{p.TargetName}' lost while the call was in flight");
        }

        if (_log.IsDebugEnabled)
            _log.Debug("Connection {0} {1}: {2} calls in flight dropped", connection.Path, why, _scratch.Count);
        _scratch.Clear();
    }

    private void Sweep()
    {
        if (_pending.Count == 0) return;
        var now = NowMs();
        _scratch.Clear();
        foreach (var (id, p) in _pending)
            if (p.Deadline <= now)
                _scratch.Add(id);

        foreach (var id in _scratch)
        {
            var p = _pending[id];
            _pending.Remove(id);
            Reject(p.Caller, id, p.TargetName, p.CallerName, ErrorCodes.DeadlineExceeded,
                $"Deadline exceeded by {now - p.Deadline} ms while waiting for '{p.TargetName}' to respond");
        }

        if (_scratch.Count > 0 && _log.IsDebugEnabled)
            _log.Debug("Pending sweep: {0} expired calls dropped, {1} in flight", _scratch.Count, _pending.Count);
        _scratch.Clear();
    }

    private void Reject(IActorRef caller, in FrameHeader call, string code, string message) =>
        Reject(caller, call.Id!, call.To!, call.From, code, message);

    /// <summary>
    /// Answers a caller with an error RESPONSE: the CALL's id, from = the CALL's target,
    /// to = the CALL's caller. Context stays null: the router read only the header.
    /// </summary>
    private void Reject(IActorRef caller, string id, string targetName, string? callerName, string code, string message)
    {
        var response = Messages.BuildErrorResponse(id, targetName, callerName ?? string.Empty, context: null,
            new ErrorInfo(message, code));
        caller.Tell(new ConnectionCommands.Send(response), Self);
        CountError(code, message, id);
    }

    private void CountError(string code, string message, string? id)
    {
        _errors[code] = _errors.TryGetValue(code, out var n) ? n + 1 : 1;
        if (_log.IsDebugEnabled)
            _log.Debug("Call {0} answered with {1}: {2}", id, code, message);
        if (_publishEvents)
            Context.System.EventStream.Publish(new GatewayErrorOccurred(code, message, id));
    }

    private GatewayStats Stats() =>
        new(_callsRouted, _responsesRouted, _responsesDropped, _pending.Count,
            _errors.ToImmutableDictionary(StringComparer.Ordinal));
}
