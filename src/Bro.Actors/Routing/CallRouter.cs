using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Event;
using Bro.BuiltIn;
using Bro.BuiltIn.Internal;
using Bro.Codecs;
using Bro.Configuration;
using Bro.Events;
using Bro.Protocol;
using Bro.Security.Internal;
using Bro.Telemetry.Internal;

namespace Bro.Routing;

/// <summary>
/// The gateway's data plane: routes each CALL to a connection of its target (picked by the
/// pool's <see cref="BalancingStrategy"/>) and each RESPONSE back to the connection that sent the CALL, and answers, with an
/// error RESPONSE carrying the CALL's id, every call the gateway knows cannot succeed: unknown
/// target, passed deadline, chain too deep, too many calls in flight, target connection lost,
/// a value the target's encoding cannot express. A caller's CANCEL finishes its call without an
/// answer; targets that announced the feature are told CANCEL for every call abandoned for them.
/// </summary>
/// <remarks>
/// <para>It runs on the thread of the connection whose frame it handles: a frame crosses no
/// actor and no queue between the socket it came from and the one it goes to. Routes come from
/// the <see cref="RouteTable"/> the registry keeps; calls in flight live in the endpoints of
/// their caller and target (<see cref="CallEndpoint"/>), keyed by (caller connection, id), so
/// ids chosen by different callers never collide and a RESPONSE is accepted only from the
/// connection its CALL was delivered to. Thread-safe: every method may run on any thread.</para>
/// <para>Deadlines: the gateway enforces min(deadline, now + request-timeout), so a peer cannot
/// park a call for longer than request-timeout whatever deadline it writes; a CALL without a
/// deadline is given that one, written into the frame its target gets. The
/// <see cref="DeadlineAlarm"/> wakes <see cref="Sweep"/> at the earliest deadline; the
/// <see cref="RouterActor"/> also calls it on its periodic timer, which checks slow consumers.</para>
/// <para>Registration grace: a CALL to a service that is not registered waits up to
/// registration-grace (never past its deadline) in <see cref="ParkedCalls"/> before it is
/// answered SERVICE_NOT_FOUND, and is routed the moment the service registers.</para>
/// <para>Writes are only queued here; the caller of a route method flushes the endpoints it
/// collected in its <see cref="FlushList"/> once per batch of frames.</para>
/// <para>Monitoring: while a monitor watches, every CALL and RESPONSE (the gateway's own error
/// answers included, the built-in service's traffic not) is recorded in <see cref="Monitor"/>;
/// when nobody watches, a frame costs one volatile read of <see cref="MonitorLog.IsWatched"/>.</para>
/// </remarks>
internal sealed class CallRouter : IDisposable
{
    private readonly GatewaySettings _settings;
    private readonly RouteTable _routes;
    private readonly ITimeProvider _time;
    private readonly ILoggingAdapter _log;
    private readonly EventStream? _events;
    private readonly long _requestTimeoutMs;
    private readonly long _slowConsumerTimeoutMs;
    private readonly ConcurrentDictionary<long, CallEndpoint> _endpoints = new();
    private readonly ConcurrentDictionary<string, StrongBox<long>> _errors = new(StringComparer.Ordinal);
    private readonly List<InFlightCall> _expired = [];
    private readonly List<ParkedCall> _ended = [];
    private readonly ParkedCalls _parked;
    private readonly long _registrationGraceMs;
    private readonly DeadlineAlarm? _alarm;
    private readonly GatewayInstruments _instruments;
    private volatile bool _shuttingDown;
    private long _closedCallsRouted;
    private long _closedResponsesRouted;
    private long _closedResponsesDropped;
    private long _closedBytesReceived;
    private long _closedBytesSent;

    /// <param name="settings">Max depth, request timeout, calls in flight per connection, debug.</param>
    /// <param name="routes">The routes the registry keeps.</param>
    /// <param name="time">The clock for deadlines.</param>
    /// <param name="log">Where warnings and debug lines go.</param>
    /// <param name="events">Where <see cref="CallRouted"/>, <see cref="ResponseRouted"/> and
    /// <see cref="GatewayErrorOccurred"/> are published; <c>null</c> publishes none (they cost per frame).</param>
    /// <param name="alarm">Wakes the sweep at the earliest deadline; <c>null</c> leaves deadlines
    /// to the periodic sweep alone. The router owns it from here.</param>
    public CallRouter(GatewaySettings settings, RouteTable routes, ITimeProvider time, ILoggingAdapter log, EventStream? events,
        DeadlineAlarm? alarm = null)
    {
        _settings = settings;
        _routes = routes;
        _time = time;
        _log = log;
        _events = events;
        _requestTimeoutMs = (long)settings.RequestTimeout.TotalMilliseconds;
        _slowConsumerTimeoutMs = (long)settings.SlowConsumerTimeout.TotalMilliseconds;
        _registrationGraceMs = (long)settings.RegistrationGrace.TotalMilliseconds;
        _parked = new ParkedCalls(routes, settings.MaxCallsInFlight, settings.OutboundQueueLimit);
        Monitor = new MonitorLog(settings.MonitorBufferSize);
        routes.ServiceAdded = ReleaseParked;
        _alarm = alarm;
        _alarm?.OnRing(() => Sweep(checkWriteProgress: false));
        _instruments = new GatewayInstruments(settings.SocketPath, this, routes);
    }

    /// <summary>
    /// Stops the deadline alarm and disposes the gateway's meter; the router routes nothing more
    /// after the gateway stopped.
    /// </summary>
    public void Dispose()
    {
        _alarm?.Dispose();
        _instruments.Dispose();
    }

    /// <summary>The recent CALLs and RESPONSEs, kept while a monitor watches (the built-in service's <c>monitor</c>).</summary>
    public MonitorLog Monitor { get; }

    /// <summary>Makes a new connection known to the sweep and the counters.</summary>
    public void Attach(CallEndpoint endpoint) => _endpoints[endpoint.Id] = endpoint;

    /// <summary>The router's clock, epoch milliseconds.</summary>
    public long NowMs() => _time.Now.ToUnixTimeMilliseconds();

    /// <summary>
    /// Routes a CALL frame from a registered connection, or answers it with an error RESPONSE.
    /// </summary>
    /// <param name="caller">The connection the frame came from.</param>
    /// <param name="header">The frame's routing fields.</param>
    /// <param name="frame">The whole frame, length prefix included, forwarded as it is when the
    /// target speaks the caller's encoding.</param>
    /// <param name="flushes">Collects the endpoints written to.</param>
    public void RouteCall(CallEndpoint caller, in FrameHeader header, ReadOnlySpan<byte> frame, FlushList flushes) =>
        RouteCall(caller, header, frame, flushes, released: false);

    /// <inheritdoc cref="RouteCall(CallEndpoint, in FrameHeader, ReadOnlySpan{byte}, FlushList)"/>
    /// <param name="caller">The connection the frame came from.</param>
    /// <param name="header">The frame's routing fields.</param>
    /// <param name="frame">The whole frame.</param>
    /// <param name="flushes">Collects the endpoints written to.</param>
    /// <param name="released"><c>true</c> for a call that waited for its target to register
    /// (it is not parked again).</param>
    private void RouteCall(CallEndpoint caller, in FrameHeader header, ReadOnlySpan<byte> frame, FlushList flushes, bool released)
    {
        // A clock read only while a listener wants call durations.
        var arrived = _instruments.TimesCalls || Monitor.IsWatched ? Stopwatch.GetTimestamp() : 0;
        if (header.Id is not { } id || header.To is not { } to)
        {
            // Without an id no RESPONSE can be matched by the caller: answer with ERROR.
            var message = $"CALL without {(header.Id is null ? "id" : "to")} cannot be routed";
            CountError(ErrorCodes.InvalidMessage, message, header.Id);
            caller.WriteMessage(new ErrorMessage(header.Id, new ErrorInfo(message, ErrorCodes.InvalidMessage), NowMs()));
            flushes.Add(caller);
            return;
        }

        var callerName = header.From ?? caller.ServiceName ?? string.Empty;
        if (caller.ServiceName is { } registered && !string.Equals(callerName, registered, StringComparison.Ordinal))
        {
            // A callee trusts `from`: a connection may speak only for the service it registered as.
            Refuse(caller, id, to, callerName, ErrorCodes.InvalidMessage,
                $"A connection registered as '{registered}' may not send a CALL from '{Bounded(callerName)}'", flushes);
            return;
        }

        if (RefusedByPolicy(caller, id, to, callerName, flushes))
            return;

        if (_shuttingDown)
        {
            Refuse(caller, id, to, callerName, ErrorCodes.ConnectionLost, ShuttingDownMessage, flushes);
            return;
        }

        if (header.Depth is { } depth && depth > _settings.MaxDepth)
        {
            Refuse(caller, id, to, callerName, ErrorCodes.MaxDepthExceeded, $"Call depth {depth} exceeds the maximum of {_settings.MaxDepth}", flushes);
            return;
        }

        var now = NowMs();
        if (header.Deadline is { } requested && requested <= now)
        {
            Refuse(caller, id, to, callerName, ErrorCodes.DeadlineExceeded,
                $"Deadline exceeded by {now - requested} ms before the gateway routed the call to '{to}'", flushes);
            return;
        }

        var deadline = Math.Min(header.Deadline ?? long.MaxValue, now + _requestTimeoutMs);
        if ((!_routes.TryGet(to, out var pool) || !_parked.IsEmpty) && !released)
        {
            var waitsUntil = Math.Min(deadline, now + _registrationGraceMs);
            var outcome = _registrationGraceMs > 0 ? _parked.TryPark(caller, header, frame, waitsUntil) : ParkedCalls.Outcome.Full;
            if (outcome == ParkedCalls.Outcome.Parked)
            {
                _alarm?.ArmAt(waitsUntil, now);
                return;
            }

            if (outcome == ParkedCalls.Outcome.RouteNow)
                _routes.TryGet(to, out pool);
        }

        if (pool is null)
        {
            Refuse(caller, id, to, callerName, ErrorCodes.ServiceNotFound, $"Target service '{to}' not found", flushes);
            return;
        }

        InFlightCall? call = null;
        // A connection that closed but is still in the pool (the registry has not seen it go yet)
        // refuses the call; the next one in turn takes it.
        for (var attempt = 0; attempt < pool.Endpoints.Length && call is null; attempt++)
        {
            var candidate = new InFlightCall(caller, pool.Pick(), id, callerName, to, deadline) { StartedAt = arrived };
            if (caller.TryAddOutgoing(candidate, _settings.MaxCallsInFlight) is { } refusal)
            {
                if (refusal == ErrorCodes.ConnectionLost && !_shuttingDown)
                    return; // the caller is going away: nobody to answer
                Refuse(caller, id, to, callerName, refusal, refusal == ErrorCodes.MaxInFlightExceeded
                    ? $"The caller already has {_settings.MaxCallsInFlight} calls in flight, the most bro.gateway.max-calls-in-flight allows"
                    : $"A call with id '{id}' from this connection is already in flight", flushes);
                return;
            }

            if (candidate.Target.AddIncoming(candidate))
                call = candidate;
            else
                caller.RemoveOutgoing(candidate);
        }

        if (call is null)
        {
            Refuse(caller, id, to, callerName, ErrorCodes.ConnectionLost, $"Connection to service '{to}' lost", flushes);
            return;
        }

        if (call.IsFinished)
        {
            // The caller closed between the two tables (its loss finished the call): the target
            // must not keep it.
            call.Target.RemoveIncoming(call);
            return;
        }

        var target = call.Target;
        if (target.IsCongested)
        {
            if (call.TryFinish())
            {
                target.RemoveIncoming(call);
                caller.RemoveOutgoing(call);
                Answer(call, ErrorCodes.ServiceBusy,
                    $"Service '{to}' reads slower than it is sent to: its queue has been full for over {_settings.CongestionTimeout.TotalMilliseconds:0} ms", flushes);
            }

            return;
        }

        _alarm?.ArmAt(deadline, now);
        // A CALL without a deadline tells its target the one the gateway enforces.
        var fillDeadline = header.Deadline is null ? deadline : (long?)null;
        if (!Forward(caller, target, frame, call.IdRewritten ? call.WireId : null, fillDeadline, out var failure))
        {
            if (call.TryFinish())
            {
                target.RemoveIncoming(call);
                caller.RemoveOutgoing(call);
                Answer(call, ErrorCodes.SerializationFailed,
                    $"Cannot pass a {caller.Encoding} CALL to a {target.Encoding} peer: {failure}", flushes);
            }
            return;
        }

        flushes.Add(target);
        caller.CallsRouted++;
        if (Monitor.IsWatched && !target.IsBuiltIn)
            RecordCall(call, header);
        if (_settings.Debug && _log.IsDebugEnabled)
            _log.Debug("CALL {0} {1} -> {2}.{3} routed to connection {4}", id, callerName, to, header.Method, target.Id);
        _events?.Publish(new CallRouted(header.From, to, header.Method, id, header.Depth, header.Deadline, header.Root, header.Chain));
    }

    /// <summary>
    /// Routes a RESPONSE frame to the connection whose CALL it answers. A RESPONSE that answers
    /// no call delivered to <paramref name="responder"/> (unknown id, already answered, or meant
    /// for a call delivered elsewhere) is dropped and counted.
    /// </summary>
    public void RouteResponse(CallEndpoint responder, in FrameHeader header, ReadOnlySpan<byte> frame, FlushList flushes)
    {
        var call = header.Id is { } id ? responder.TakeIncoming(id) : null;
        if (call is null || !call.TryFinish())
        {
            responder.ResponsesDropped++;
            if (_log.IsDebugEnabled)
                _log.Debug("RESPONSE {0} from {1} (connection {2}) dropped: it answers no call in flight delivered to that connection",
                    header.Id, responder.ServiceName, responder.Id);
            return;
        }

        var caller = call.Caller;
        caller.RemoveOutgoing(call);
        if (!Forward(responder, caller, frame, call.IdRewritten ? call.CallerId : null, fillDeadline: null, out var failure))
        {
            Answer(call, ErrorCodes.SerializationFailed,
                $"Cannot pass a {responder.Encoding} RESPONSE to a {caller.Encoding} peer: {failure}", flushes);
            return;
        }

        flushes.AddPatient(caller);
        responder.ResponsesRouted++;
        if (call.StartedAt != 0)
            _instruments.CallAnswered(call);
        if (Monitor.IsWatched && !responder.IsBuiltIn)
            RecordResponse(call, header.From, header.To, header.Status == ResponseStatus.Error ? "error" : "success",
                header.ErrorCode, header.Root, header.Depth, byGateway: false);
        if (_settings.Debug && _log.IsDebugEnabled)
            _log.Debug("RESPONSE {0} {1} -> {2} routed to connection {3}", header.Id, header.From, header.To, caller.Id);
        _events?.Publish(new ResponseRouted(header.From, header.To, header.Status, header.Id, header.ErrorCode));
    }

    /// <summary>
    /// A caller gave up on its call (CANCEL): the call is finished without an answer, since the
    /// caller no longer waits for one, its id is remembered on the target so that the late
    /// RESPONSE is dropped, and the target is told (CANCEL) if it understands it. A call still
    /// waiting for its target to register is dropped. A CANCEL for a call no longer in flight
    /// (answered while the CANCEL was on its way) is dropped quietly.
    /// </summary>
    public void RouteCancel(CallEndpoint caller, in FrameHeader header, FlushList flushes)
    {
        // Taken first, finished second: whoever else finishes it (the RESPONSE, the sweep, a loss)
        // won TryFinish and only removes an entry that is already gone, which is harmless.
        if (header.Id is not { } id)
            return; // the codec refuses a CANCEL without an id before it gets here
        var call = caller.TakeOutgoing(id);
        if (call is null && _parked.Remove(caller, id))
        {
            if (_settings.Debug && _log.IsDebugEnabled)
                _log.Debug("CALL {0} {1} -> {2} cancelled by its caller while waiting for its target to register", id, header.From, header.To);
            return;
        }

        if (call is null || !call.TryFinish())
        {
            if (_log.IsDebugEnabled)
                _log.Debug("CANCEL {0} from {1} (connection {2}) dropped: no call of that id is in flight",
                    header.Id, caller.ServiceName, caller.Id);
            return;
        }

        call.Target.AbandonIncoming(call);
        if (TellCancelled(call, CancelReasons.Cancelled))
            flushes.Add(call.Target);
        if (_settings.Debug && _log.IsDebugEnabled)
            _log.Debug("CALL {0} {1} -> {2} cancelled by its caller", call.CallerId, call.CallerName, call.TargetName);
    }

    /// <summary>
    /// Tells the target of an abandoned call that nobody waits for its answer any more, if it
    /// announced it understands CANCEL; an <c>ipc-bro</c> peer is told nothing (it would not
    /// know the frame). True when a CANCEL was queued (the target then needs a flush).
    /// </summary>
    private static bool TellCancelled(InFlightCall call, string reason) =>
        call.Target.UnderstandsCancel
        && call.Target.WriteMessage(new CancelMessage(call.WireId, call.CallerName, call.TargetName, reason));

    /// <summary>
    /// Answers DEADLINE_EXCEEDED for every call in flight whose deadline has passed, and forgets
    /// it: a late RESPONSE is then dropped, and a target that understands CANCEL is told to
    /// stop. Answers SERVICE_NOT_FOUND for every call whose
    /// registration grace ended. Then sets the alarm for the earliest deadline left.
    /// </summary>
    /// <param name="checkWriteProgress">Also drop the connections that stopped reading (the
    /// periodic sweep does; the deadline alarm need not).</param>
    public void Sweep(bool checkWriteProgress = true)
    {
        var now = NowMs();
        var earliest = long.MaxValue;
        lock (_expired)
        {
            if (!_parked.IsEmpty)
            {
                earliest = _parked.TakeEnded(now, _ended);
                AnswerEnded(_ended, now);
                _ended.Clear();
            }

            foreach (var endpoint in _endpoints.Values)
            {
                if (checkWriteProgress)
                    endpoint.CheckWriteProgress(_slowConsumerTimeoutMs);
                if (endpoint.EarliestDeadline > now)
                {
                    earliest = Math.Min(earliest, endpoint.EarliestDeadline);
                    continue;
                }

                endpoint.TakeExpired(now, _expired);
                var answered = false;
                foreach (var call in _expired)
                {
                    if (!call.TryFinish())
                        continue;
                    call.Target.AbandonIncoming(call);
                    answered |= Answer(call, ErrorCodes.DeadlineExceeded,
                        $"Deadline exceeded by {now - call.Deadline} ms while waiting for '{call.TargetName}' to respond", null);
                    if (TellCancelled(call, CancelReasons.DeadlineExceeded))
                        call.Target.Flush();
                }

                if (answered)
                    endpoint.Flush();
                if (_expired.Count > 0 && _log.IsDebugEnabled)
                    _log.Debug("Connection {0}: {1} calls past their deadline answered", endpoint.Id, _expired.Count);
                _expired.Clear();
                earliest = Math.Min(earliest, endpoint.EarliestDeadline);
            }
        }

        if (earliest != long.MaxValue)
            _alarm?.ArmAt(earliest, now);
    }

    private void AnswerEnded(List<ParkedCall> ended, long now)
    {
        var flushes = new FlushList();
        foreach (var call in ended)
        {
            var header = call.Header;
            var waited = header.Deadline is { } deadline && deadline <= now ? "until its deadline" : $"{_registrationGraceMs} ms";
            Refuse(call.Caller, header.Id!, header.To!, header.From ?? call.Caller.ServiceName ?? string.Empty, ErrorCodes.ServiceNotFound,
                $"Target service '{header.To}' not found (the call waited {waited} for it to register)", flushes);
        }

        _ = flushes.FlushAll(); // a timer thread: flushes, never waits for flow control
    }

    /// <summary>
    /// A service registered (or its pool changed): the calls waiting for it are routed, in the
    /// order they came. Runs on the registry's thread, after the route is in the table.
    /// </summary>
    private void ReleaseParked(string service)
    {
        if (_parked.IsEmpty)
            return;
        var flushes = new FlushList();
        _parked.Release(service, call => RouteCall(call.Caller, call.Header, call.Frame, flushes, released: true));
        _ = flushes.FlushAll(); // an actor thread: flushes, never waits for flow control
    }

    /// <summary>
    /// A connection's peer stopped sending (it shut down its side, or hung up): the callers of the
    /// calls delivered to it are answered CONNECTION_LOST at once, since no answer can come, and
    /// nothing more is delivered to it. The calls it made stay in flight: a peer that only shut
    /// down its sending side still gets their answers.
    /// </summary>
    public void StoppedSending(CallEndpoint endpoint)
    {
        var flushes = new FlushList();
        foreach (var call in endpoint.StopServing())
        {
            if (!call.TryFinish())
                continue;
            call.Caller.RemoveOutgoing(call);
            Answer(call, ErrorCodes.ConnectionLost,
                $"Connection to service '{call.TargetName}' lost while the call was in flight (it stopped sending)", flushes);
        }

        _ = flushes.FlushAll(); // an actor thread: flushes, never waits for flow control
    }

    /// <summary>
    /// A connection is gone: the callers of every call in flight to it are answered
    /// CONNECTION_LOST at once, and the calls it made are forgotten (their late RESPONSEs are
    /// dropped; their targets that understand CANCEL are told to stop). Idempotent.
    /// </summary>
    public void ConnectionLost(CallEndpoint endpoint)
    {
        if (!_endpoints.TryRemove(endpoint.Id, out _))
            return;

        _parked.Drop(endpoint);
        var (outgoing, incoming) = endpoint.CloseCalls();
        var flushes = new FlushList();
        foreach (var call in incoming)
        {
            if (!call.TryFinish())
                continue;
            call.Caller.RemoveOutgoing(call);
            Answer(call, ErrorCodes.ConnectionLost,
                $"Connection to service '{call.TargetName}' lost while the call was in flight", flushes);
        }

        foreach (var call in outgoing)
        {
            if (!call.TryFinish())
                continue;
            call.Target.AbandonIncoming(call);
            if (TellCancelled(call, CancelReasons.CallerLost))
                flushes.Add(call.Target);
        }

        _ = flushes.FlushAll(); // an actor thread: flushes, never waits for flow control
        Interlocked.Add(ref _closedCallsRouted, endpoint.CallsRouted);
        Interlocked.Add(ref _closedResponsesRouted, endpoint.ResponsesRouted);
        Interlocked.Add(ref _closedResponsesDropped, endpoint.ResponsesDropped);
        // What a closing connection still writes after this is not counted: a last frame or two.
        Interlocked.Add(ref _closedBytesReceived, endpoint.BytesReceived);
        Interlocked.Add(ref _closedBytesSent, endpoint.BytesSent);
        if (_log.IsDebugEnabled && outgoing.Count + incoming.Count > 0)
            _log.Debug("Connection {0} ({1}) gone: {2} calls to it answered, {3} calls from it dropped",
                endpoint.Id, endpoint.ServiceName, incoming.Count, outgoing.Count);
    }

    /// <summary>
    /// The gateway is stopping: every call in flight is answered CONNECTION_LOST ("The gateway is
    /// shutting down") while every connection can still write, and every CALL from now on is
    /// answered so at once. Connections close after this, each writing out what it has queued.
    /// </summary>
    public void ShutDown()
    {
        _shuttingDown = true;
        var flushes = new FlushList();
        foreach (var call in _parked.TakeAll())
        {
            var header = call.Header;
            Refuse(call.Caller, header.Id!, header.To!, header.From ?? call.Caller.ServiceName ?? string.Empty,
                ErrorCodes.ConnectionLost, ShuttingDownMessage, flushes);
        }

        foreach (var endpoint in _endpoints.Values)
        {
            var (outgoing, incoming) = endpoint.CloseCalls();
            foreach (var call in incoming)
            {
                if (!call.TryFinish())
                    continue;
                call.Caller.RemoveOutgoing(call);
                Answer(call, ErrorCodes.ConnectionLost, ShuttingDownMessage, flushes);
            }

            foreach (var call in outgoing)
            {
                if (call.TryFinish())
                {
                    call.Target.RemoveIncoming(call);
                    Answer(call, ErrorCodes.ConnectionLost, ShuttingDownMessage, flushes);
                }
            }
        }

        _ = flushes.FlushAll(); // an actor thread: flushes, never waits for flow control
    }

    private const string ShuttingDownMessage = "The gateway is shutting down";

    /// <summary>
    /// The policy's CALL check. Resolved when the caller connected (<see cref="PeerPermissions"/>),
    /// so it costs a field read without a policy and a dictionary lookup with one. True when it
    /// answered the CALL with an error RESPONSE (UNAUTHORIZED).
    /// </summary>
    private bool RefusedByPolicy(CallEndpoint caller, string id, string to, string callerName, FlushList flushes)
    {
        if (caller.Permissions is not { } permissions || permissions.MayCall(to))
            return false;
        Refuse(caller, id, to, callerName, ErrorCodes.Unauthorized,
            $"No rule of bro.gateway.policy lets uid {permissions.Peer.Uid} or gid {permissions.Peer.Gid} call '{Bounded(to)}'", flushes);
        return true;
    }

    // Peer-chosen text quoted back in an error stays short, however long the peer made it.
    private static string Bounded(string text) => text.Length <= 256 ? text : string.Concat(text.AsSpan(0, 256), "...");

    /// <summary>The counters since start, over open and closed connections.</summary>
    public GatewayStats Stats()
    {
        var counters = Counters();
        return new GatewayStats(counters.CallsRouted, counters.ResponsesRouted, counters.ResponsesDropped, (int)counters.CallsInFlight,
            _errors.ToImmutableDictionary(e => e.Key, e => Volatile.Read(ref e.Value.Value), StringComparer.Ordinal), counters.Connections);
    }

    /// <summary>The running totals since start, over open and closed connections.</summary>
    public RouterCounters Counters()
    {
        long calls = Volatile.Read(ref _closedCallsRouted), responses = Volatile.Read(ref _closedResponsesRouted);
        long dropped = Volatile.Read(ref _closedResponsesDropped), pending = 0;
        long received = Volatile.Read(ref _closedBytesReceived), sent = Volatile.Read(ref _closedBytesSent);
        var connections = 0;
        foreach (var endpoint in _endpoints.Values)
        {
            if (!endpoint.IsBuiltIn)
                connections++;
            calls += Volatile.Read(ref endpoint.CallsRouted);
            responses += Volatile.Read(ref endpoint.ResponsesRouted);
            dropped += Volatile.Read(ref endpoint.ResponsesDropped);
            pending += endpoint.OutgoingCount;
            received += endpoint.BytesReceived;
            sent += endpoint.BytesSent;
        }

        return new RouterCounters(calls, responses, dropped, pending, received, sent, connections);
    }

    /// <summary>The error RESPONSEs the gateway answered itself since start, by code.</summary>
    public IEnumerable<KeyValuePair<string, long>> ErrorCounts()
    {
        foreach (var (code, count) in _errors)
            yield return new KeyValuePair<string, long>(code, Volatile.Read(ref count.Value));
    }

    /// <summary>
    /// Queues <paramref name="frame"/> for <paramref name="to"/>: as it is when both speak one
    /// encoding and the id stays, else decoded and re-encoded (with <paramref name="newId"/>, and
    /// <paramref name="fillDeadline"/> as the deadline of a CALL that has none).
    /// False, with the reason, when <paramref name="to"/>'s encoding cannot express the frame
    /// or the re-encoded frame would exceed max-frame-size.
    /// </summary>
    private bool Forward(CallEndpoint from, CallEndpoint to, ReadOnlySpan<byte> frame, string? newId, long? fillDeadline, out string? failure)
    {
        failure = null;
        if (newId is null && fillDeadline is null && from.Encoding == to.Encoding)
        {
            to.Write(frame);
            return true;
        }

        BroMessage message;
        byte[] payload;
        try
        {
            var bytes = frame[Transport.BroFraming.HeaderSize..].ToArray();
            message = fillDeadline is { } deadline ? MessageCodecs.Decode(from.Codec, bytes, deadline) : from.Codec.Decode(bytes);
            message = (newId, message) switch
            {
                (null, _) => message,
                (_, CallMessage c) => c with { Id = newId },
                (_, ResponseMessage r) => r with { Id = newId },
                _ => message,
            };
            payload = to.Codec.Encode(message);
        }
        catch (BroException e)
        {
            failure = e.Message;
            return false;
        }

        // Transcoding can grow a frame (a MessagePack string of control bytes becomes six times
        // longer in JSON): nothing the gateway writes may exceed what it accepts itself.
        if (payload.Length > _settings.MaxFrameSize)
        {
            failure = $"the {to.Encoding} frame would be {payload.Length} bytes, over max-frame-size ({_settings.MaxFrameSize})";
            return false;
        }

        to.WritePayload(payload);
        return true;
    }

    /// <summary>
    /// Answers a CALL that is not routed (refused by the router, or failed validation on its
    /// connection) with an error RESPONSE carrying its id, and counts it.
    /// </summary>
    public void Refuse(CallEndpoint caller, string id, string targetName, string callerName, string code, string message, FlushList flushes)
    {
        caller.WriteMessage(Messages.BuildErrorResponse(id, targetName, callerName, context: null, new ErrorInfo(message, code)));
        flushes.Add(caller);
        CountError(code, message, id);
        if (Monitor.IsWatched && !string.Equals(targetName, BroService.Name, StringComparison.Ordinal) && Monitor.TryNext(out var seq))
            Monitor.Add(new MonitorRecord(seq, NowMs(), "RESPONSE", id, targetName, callerName, null, "error", code,
                null, null, null, ByGateway: true));
    }

    /// <summary>
    /// Answers a call's caller with an error RESPONSE: the caller's id, from = the target, to =
    /// the caller. Context stays null: the gateway read only the header.
    /// </summary>
    private bool Answer(InFlightCall call, string code, string message, FlushList? flushes)
    {
        var written = call.Caller.WriteMessage(
            Messages.BuildErrorResponse(call.CallerId, call.TargetName, call.CallerName, context: null, new ErrorInfo(message, code)));
        flushes?.Add(call.Caller);
        CountError(code, message, call.CallerId);
        if (Monitor.IsWatched && !call.Target.IsBuiltIn)
            RecordResponse(call, call.TargetName, call.CallerName, "error", code, null, null, byGateway: true);
        return written;
    }

    /// <summary>A monitor watches: the CALL is recorded, and remembers what its RESPONSE's record needs.</summary>
    private void RecordCall(InFlightCall call, in FrameHeader header)
    {
        call.Method = header.Method;
        if (Monitor.TryNext(out var seq))
            Monitor.Add(new MonitorRecord(seq, NowMs(), "CALL", call.CallerId, call.CallerName, call.TargetName, header.Method,
            null, null, null, header.Root, header.Depth));
    }

    private void RecordResponse(InFlightCall call, string? from, string? to, string status, string? code, string? root, int? depth, bool byGateway)
    {
        if (!Monitor.TryNext(out var seq))
            return;
        double? latency = call.StartedAt == 0 ? null : Stopwatch.GetElapsedTime(call.StartedAt).TotalMilliseconds;
        Monitor.Add(new MonitorRecord(seq, NowMs(), "RESPONSE", call.CallerId, from, to, call.Method, status, code,
            latency, root, depth, byGateway));
    }

    private void CountError(string code, string message, string? id)
    {
        Interlocked.Increment(ref _errors.GetOrAdd(code, static _ => new StrongBox<long>()).Value);
        if (_log.IsDebugEnabled)
            _log.Debug("Call {0} answered with {1}: {2}", id, code, message);
        _events?.Publish(new GatewayErrorOccurred(code, message, id));
    }
}
