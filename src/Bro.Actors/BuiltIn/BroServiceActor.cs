using Akka.Actor;
using Akka.Event;
using Bro.BuiltIn.Internal;
using Bro.Codecs;
using Bro.Configuration;
using Bro.Protocol;
using Bro.Registry;
using Bro.Routing;

namespace Bro.BuiltIn;

/// <summary>
/// Answers the CALLs to the built-in service (<see cref="BroService"/>), which the router
/// delivers to its <see cref="BroServiceEndpoint"/> like to any service. Answers go back through
/// the router, as a service's RESPONSEs do. One state; monitor polls wait here.
/// </summary>
/// <remarks>
/// <para><c>status</c> and <c>services</c> need the registry's view: the registry is told
/// <see cref="RegistryActor.GetServices"/> and answers in order, so the calls waiting for it
/// form a queue (no Ask, no temporary actor).</para>
/// <para><c>monitor</c>: the first poll turns recording on (<see cref="MonitorLog.IsWatched"/>);
/// a poll with nothing to read waits until the log wakes this actor (once per batch of records)
/// or its wait ends. Batches go out at most every <see cref="MinBatchInterval"/>: a monitor of a
/// busy gateway gets up to <see cref="MonitorLog.MaxBatch"/> records five times a second, and
/// the ring, paused while full, records little more than that (the watched gateway's cost stays
/// bounded whatever its load). A check timer runs only while someone watches: it ends waits,
/// sends paced batches, and turns recording off once no poll has come for <see cref="IdleAfter"/>.</para>
/// </remarks>
internal sealed class BroServiceActor : ReceiveActor, IWithTimers
{
    /// <summary>A CALL delivered to the built-in service; sent by its endpoint on the caller's thread.</summary>
    /// <param name="Endpoint">The endpoint it was delivered to, through which it is answered.</param>
    /// <param name="Payload">The CALL's JSON payload, copied.</param>
    internal sealed record Delivered(BroServiceEndpoint Endpoint, byte[] Payload);

    /// <summary>The monitor log has records after an armed wake.</summary>
    private sealed record RecordsAdded : IDeadLetterSuppression
    {
        public static RecordsAdded Instance { get; } = new();
    }

    /// <summary>Timer message while watched: end the waits that are due, stop recording when idle.</summary>
    private sealed record MonitorCheckTick : IDeadLetterSuppression, INotInfluenceReceiveTimeout
    {
        public static MonitorCheckTick Instance { get; } = new();
    }

    private sealed record Poll(BroServiceEndpoint Endpoint, CallMessage Call, long After, string? Service, long AnswerAtMs);

    /// <summary>Recording stops this long after the last poll was answered with no poll since.</summary>
    internal static readonly TimeSpan IdleAfter = TimeSpan.FromSeconds(5);

    /// <summary>The least time between two batches with records.</summary>
    internal static readonly TimeSpan MinBatchInterval = TimeSpan.FromMilliseconds(200);

    // Polls that wait at once, at most: more are answered at once (empty), so a flood of polls
    // cannot pile up here.
    private const int MaxWaitingPolls = 64;
    private const int DefaultWaitMs = 5_000;
    private const int MaxWaitMs = 30_000;
    // A poll is answered this long before its deadline, so its answer is not beaten by DEADLINE_EXCEEDED.
    private const long DeadlineMarginMs = 200;
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(100);
    private static readonly string Version = typeof(BroServiceActor).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private readonly GatewaySettings _settings;
    private readonly CallRouter _router;
    private readonly IActorRef _registry;
    private readonly IActorRef? _federation;
    private readonly Queue<(BroServiceEndpoint Endpoint, CallMessage Call)> _awaitingCluster = new();
    private readonly MonitorLog _monitor;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Queue<(BroServiceEndpoint Endpoint, CallMessage Call)> _awaitingRegistry = new();
    private readonly List<Poll> _polls = [];
    private long _startedAtMs;
    private long _lastPollMs;
    private long _lastBatchMs;
    private bool _watching;

    /// <summary>The actor's timers; set by Akka before the actor starts.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    public BroServiceActor(GatewaySettings settings, CallRouter router, IActorRef registry, IActorRef? federation)
    {
        _settings = settings;
        _router = router;
        _registry = registry;
        _federation = federation;
        _monitor = router.Monitor;

        Receive<Delivered>(OnDelivered);
        Receive<RegistryActor.ServiceList>(OnServiceList);
        Receive<Federation.FederationView>(view =>
        {
            if (_awaitingCluster.TryDequeue(out var waiting))
                Answer(waiting.Endpoint, waiting.Call, view);
        });
        Receive<RecordsAdded>(_ => AnswerPolls(_router.NowMs()));
        Receive<MonitorCheckTick>(_ => CheckMonitor());
    }

    /// <summary>Props for the built-in service.</summary>
    /// <param name="settings">Gateway settings: its name and socket path, for the answers.</param>
    /// <param name="router">The data plane: its counters, its monitor log, and the way answers go back.</param>
    /// <param name="registry">The registry, asked for the services.</param>
    /// <param name="federation">The federation actor, asked for the cluster's view; <c>null</c> on a single host.</param>
    internal static Props Props(GatewaySettings settings, CallRouter router, IActorRef registry, IActorRef? federation = null) =>
        Akka.Actor.Props.Create(() => new BroServiceActor(settings, router, registry, federation));

    /// <inheritdoc />
    protected override void PreStart() => _startedAtMs = _router.NowMs();

    /// <inheritdoc />
    protected override void PostStop() => _monitor.SetWatched(false);

    private void OnDelivered(Delivered delivered)
    {
        CallMessage call;
        try
        {
            call = (CallMessage)MessageCodecs.Json.Decode(delivered.Payload);
        }
        catch (BroException e)
        {
            // The router read this frame's header, so its id and caller are known.
            var header = MessageCodecs.Json.ReadHeader(delivered.Payload);
            Send(delivered.Endpoint, Messages.BuildErrorResponse(header.Id!, BroService.Name, header.From!, null, new ErrorInfo(e.Message, e.Code)));
            return;
        }

        switch (call.Method)
        {
            case BroService.Ping:
                Answer(delivered.Endpoint, call, new PingReply(_settings.GatewayName, Version, _router.NowMs() - _startedAtMs));
                break;
            case BroService.Status or BroService.Services:
                _awaitingRegistry.Enqueue((delivered.Endpoint, call));
                _registry.Tell(RegistryActor.GetServices.Instance, Self);
                break;
            case BroService.Monitor:
                OnPoll(delivered.Endpoint, call);
                break;
            case BroService.Cluster when _federation is null:
                Answer(delivered.Endpoint, call, new Federation.FederationView("", [], []));
                break;
            case BroService.Cluster:
                _awaitingCluster.Enqueue((delivered.Endpoint, call));
                _federation.Tell(Federation.FederationActor.GetView.Instance, Self);
                break;
            default:
                Fail(delivered.Endpoint, call, ErrorCodes.MethodNotFound,
                    $"Method '{call.Method}' not found on service '{BroService.Name}' (it answers ping, status, services, monitor, cluster)");
                break;
        }
    }

    private void OnServiceList(RegistryActor.ServiceList list)
    {
        if (!_awaitingRegistry.TryDequeue(out var waiting))
            return;
        var (endpoint, call) = waiting;
        if (call.Method == BroService.Services)
        {
            Answer(endpoint, call, list.Services.Select(ToReport).ToArray());
            return;
        }

        var now = _router.NowMs();
        var stats = _router.Stats();
        Answer(endpoint, call, new StatusReport(_settings.GatewayName, Version, _settings.SocketPath,
            DateTimeOffset.FromUnixTimeMilliseconds(_startedAtMs), now - _startedAtMs, stats.Connections, list.Services.Count,
            stats.CallsRouted, stats.ResponsesRouted, stats.ResponsesDropped, stats.PendingCalls, stats.ErrorsByCode));
    }

    private static ServiceReport ToReport(ServiceInfo service) => new(
        service.Name, service.Methods, service.Version, service.Connections,
        service.Encodings.Select(e => e == BroEncoding.MessagePack ? "msgpack" : "json").ToArray(),
        service.ConnectedAt,
        service.Credentials.Select(c => new PeerReport(c.Pid, c.Uid, c.Gid)).ToArray(),
        service.CallsInFlight, service.CallsServed,
        service.Instances.Select(i => i.InstanceId).ToArray(), service.Balancing.ToName());

    private void OnPoll(BroServiceEndpoint endpoint, CallMessage call)
    {
        MonitorQuery query;
        try
        {
            query = call.Params?.Deserialize<MonitorQuery>() ?? new MonitorQuery();
        }
        catch (BroException e)
        {
            Fail(endpoint, call, ErrorCodes.InvalidMessage, $"monitor takes {{after?, service?, waitMs?}}: {e.Message}");
            return;
        }

        var now = _router.NowMs();
        if (!_watching)
        {
            _watching = true;
            _monitor.SetWatched(true);
            Timers.StartPeriodicTimer(nameof(MonitorCheckTick), MonitorCheckTick.Instance, CheckInterval);
            if (_log.IsDebugEnabled)
                _log.Debug("A monitor is watching: recording routed calls");
        }

        _lastPollMs = now;
        var waitMs = Math.Clamp(query.WaitMs ?? DefaultWaitMs, 0, MaxWaitMs);
        // The router answers DEADLINE_EXCEEDED at min(deadline, routed + request-timeout): answer before.
        var answerAt = Math.Min(now + waitMs, Math.Min(call.Context.Deadline, now + (long)_settings.RequestTimeout.TotalMilliseconds) - DeadlineMarginMs);
        var poll = new Poll(endpoint, call, query.After ?? _monitor.Head, query.Service, answerAt);
        if (answerAt <= now || _polls.Count >= MaxWaitingPolls)
        {
            Answer(poll.Endpoint, poll.Call, _monitor.Read(poll.After, poll.Service));
            return;
        }

        _polls.Add(poll);
        AnswerPolls(now);
    }

    private void Arm()
    {
        var self = Self;
        _monitor.ArmWake(() => self.Tell(RecordsAdded.Instance));
    }

    /// <summary>
    /// Answers every waiting poll whose wait is over, and, paced by <see cref="MinBatchInterval"/>,
    /// every one that has records. The others wait on for the log's wake or the check timer.
    /// </summary>
    private void AnswerPolls(long now)
    {
        var paced = now - _lastBatchMs >= (long)MinBatchInterval.TotalMilliseconds;
        var sent = false;
        for (var i = _polls.Count - 1; i >= 0; i--)
        {
            var poll = _polls[i];
            if (!paced && poll.AnswerAtMs > now)
                continue;
            var batch = _monitor.Read(poll.After, poll.Service);
            if (batch.Records.Count == 0 && poll.AnswerAtMs > now)
            {
                _polls[i] = poll with { After = batch.Cursor };
                continue;
            }

            _polls.RemoveAt(i);
            Answer(poll.Endpoint, poll.Call, batch);
            sent |= batch.Records.Count > 0;
            _lastPollMs = now;
        }

        if (sent)
            _lastBatchMs = now;
        // Too soon for another batch: the check timer comes back for it, no wake is needed.
        if (_polls.Count > 0 && paced)
            Arm();
    }

    private void CheckMonitor()
    {
        var now = _router.NowMs();
        AnswerPolls(now);
        if (_polls.Count > 0 || now - _lastPollMs < (long)IdleAfter.TotalMilliseconds)
            return;
        _watching = false;
        _monitor.SetWatched(false);
        Timers.Cancel(nameof(MonitorCheckTick));
        if (_log.IsDebugEnabled)
            _log.Debug("No monitor polled for {0} s: recording stopped", IdleAfter.TotalSeconds);
    }

    private void Answer<T>(BroServiceEndpoint endpoint, CallMessage call, T result) =>
        Send(endpoint, new ResponseMessage(call.Id, BroService.Name, call.From, ResponseStatus.Success,
            RawValue.FromObject(result, BroEncoding.Json), null, call.Context));

    private void Fail(BroServiceEndpoint endpoint, CallMessage call, string code, string message) =>
        Send(endpoint, Messages.BuildErrorResponse(call.Id, BroService.Name, call.From, call.Context, new ErrorInfo(message, code)));

    /// <summary>Routes an answer back to its caller as a service's read loop would, and flushes it.</summary>
    private void Send(BroServiceEndpoint endpoint, ResponseMessage response)
    {
        var payload = MessageCodecs.Json.Encode(response);
        var header = MessageCodecs.Json.ReadHeader(payload);
        var flushes = new FlushList();
        _router.RouteResponse(endpoint, header, Frames.Frame(payload), flushes);
        _ = flushes.FlushAll(); // an actor thread: flushes, never waits for flow control
    }
}
