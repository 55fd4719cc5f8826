using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Bro.BuiltIn;
using Bro.Configuration;
using Bro.Connection;
using Bro.Events;
using Bro.Protocol;
using Bro.Registry.Internal;
using Bro.Routing;
using Bro.Security;

namespace Bro.Registry;

/// <summary>
/// Owns the gateway's services: registration (with pools and duplicate-name refusal),
/// liveness of every connection, and heartbeat eviction. Keeps the <see cref="RouteTable"/> the
/// connections route by: it is the table's only writer. One state only.
/// </summary>
/// <remarks>
/// Liveness: a connection actor sends <see cref="Touch"/> when it sees frames, throttled by the
/// connection to about once per second, so the registry's cost does not grow with traffic. One
/// periodic <see cref="HeartbeatCheckTick"/> scans all connections; a connection silent for
/// <see cref="GatewaySettings.HeartbeatTimeout"/> is sent <see cref="ConnectionCommands.Close"/>
/// (CONNECTION_LOST) and removed at once, without waiting for it to stop. Connections are
/// death-watched: a closed socket stops its actor, and <see cref="Terminated"/> removes it.
/// <para>Registration: the connection's reader stops after a REGISTER until the registry has
/// answered it (<see cref="CallEndpoint.ResumeReading"/>). An accepted connection gets its name
/// and REGISTER_ACK queued first, then its route, then the ack is flushed: a CALL made right
/// after the ack always finds the route, and nothing routed to the new service overtakes its
/// ack.</para>
/// <para>Instances: a service is one or more instances (processes), each with its connections
/// (its pool). A REGISTER of a taken name is refused as a duplicate unless the service was
/// registered as a group (<c>metadata.group</c>) and the newcomer asks to join it, under an
/// <c>instanceId</c> no instance of it has. A pool connection (<c>metadata.poolIndex</c>) joins
/// the instance of its own <c>instanceId</c>, else of its own process. Calls are spread over
/// every connection of every instance by the service's <see cref="BalancingStrategy"/>.</para>
/// </remarks>
internal sealed class RegistryActor : ReceiveActor, IWithTimers
{
    /// <summary>
    /// A REGISTER frame. Sender: the registering connection actor (watched from then on). The
    /// endpoint is answered with REGISTER_ACK, or ERROR INVALID_MESSAGE (no name, or already
    /// registered); a duplicate name (but for a group's new instance), a duplicate instance id,
    /// or a pool join from another process than the pool's, is sent
    /// <see cref="ConnectionCommands.Close"/> (CONNECTION_FAILED), a name the policy does not
    /// allow it too (UNAUTHORIZED), a group REGISTER with a bad instance id or strategy too
    /// (INVALID_MESSAGE).
    /// Either way its reader is resumed.
    /// </summary>
    /// <param name="Message">The decoded REGISTER.</param>
    /// <param name="PoolIndex">The numeric <c>metadata.poolIndex</c>, if any: joins an existing service's pool.</param>
    /// <param name="Endpoint">The connection's data plane: where its route leads and its answers go.</param>
    internal sealed record RegisterService(RegisterMessage Message, int? PoolIndex, CallEndpoint Endpoint);

    /// <summary>
    /// The sending connection's peer stopped sending (end of stream): its service no longer
    /// counts it, though the connection stays open a while for the answers to its own calls.
    /// Sender: the connection actor.
    /// </summary>
    internal sealed record Withdraw
    {
        public static Withdraw Instance { get; } = new();
        private Withdraw() { }
    }

    /// <summary>
    /// Activity seen on the sending connection (any frame, HEARTBEAT included) refreshes its
    /// liveness. Sender: the connection actor. Connections throttle it (about once per second);
    /// a Touch from a connection that is not registered is ignored.
    /// </summary>
    public sealed record Touch : IDeadLetterSuppression
    {
        /// <summary>The single instance.</summary>
        public static Touch Instance { get; } = new();
        private Touch() { }
    }

    /// <summary>Asks for every registered service; answered with <see cref="ServiceList"/>.</summary>
    public sealed record GetServices
    {
        /// <summary>The single instance.</summary>
        public static GetServices Instance { get; } = new();
        private GetServices() { }
    }

    /// <summary>The answer to <see cref="GetServices"/>.</summary>
    /// <param name="Services">One snapshot per service, ordered by name.</param>
    public sealed record ServiceList(IReadOnlyList<ServiceInfo> Services);

    /// <summary>Asks for one service; answered with <see cref="ServiceLookup"/>.</summary>
    /// <param name="Name">The service name.</param>
    public sealed record GetService(string Name);

    /// <summary>The answer to <see cref="GetService"/>.</summary>
    /// <param name="Name">The name asked for.</param>
    /// <param name="Service">The service's snapshot; <c>null</c> when it is not registered.</param>
    public sealed record ServiceLookup(string Name, ServiceInfo? Service);

    /// <summary>Timer message: check every connection for heartbeat timeout.</summary>
    internal sealed record HeartbeatCheckTick : IDeadLetterSuppression, INotInfluenceReceiveTimeout
    {
        public static HeartbeatCheckTick Instance { get; } = new();
        private HeartbeatCheckTick() { }
    }

    private sealed class ServiceEntry(RegisterMessage message, long connectedAt, bool isGroup, BalancingStrategy balancing)
    {
        public readonly string Name = message.ServiceName;
        public readonly IReadOnlyList<string> Methods = message.Methods;
        public readonly string? Version = message.Version;
        public readonly RawValue? Metadata = message.Metadata;
        public readonly long ConnectedAt = connectedAt;
        public readonly List<IActorRef> Connections = [];
        public readonly bool IsGroup = isGroup;
        public readonly BalancingStrategy Balancing = balancing;
        public readonly List<InstanceEntry> Instances = [];
        private int _named;

        public InstanceEntry AddInstance(string? id, PeerCredentials? credentials, long now)
        {
            // An instance that gave no id is named by the gateway, never as one that did.
            while (id is null || FindInstance(id) is not null)
                id = $"instance-{++_named}";
            var instance = new InstanceEntry(id, credentials, now);
            Instances.Add(instance);
            return instance;
        }

        public InstanceEntry? FindInstance(string id) => Instances.Find(i => string.Equals(i.Id, id, StringComparison.Ordinal));
    }

    private sealed class InstanceEntry(string id, PeerCredentials? credentials, long registeredAt)
    {
        public readonly string Id = id;
        public readonly PeerCredentials? Credentials = credentials;
        public readonly long RegisteredAt = registeredAt;
        public int Connections;
    }

    private sealed class ConnectionEntry(ServiceEntry service, CallEndpoint endpoint, int? poolIndex, long lastSeen, InstanceEntry instance)
    {
        public readonly ServiceEntry Service = service;
        public readonly InstanceEntry Instance = instance;
        public readonly CallEndpoint Endpoint = endpoint;
        public readonly int? PoolIndex = poolIndex;
        public long LastSeen = lastSeen;
    }

    private const string HeartbeatTimerKey = "heartbeat-check";
    private const string ClosedReason = "connection closed";
    private static readonly string GatewayVersion =
        typeof(RegistryActor).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private readonly GatewaySettings _settings;
    private readonly RouteTable _routes;
    private readonly ITimeProvider? _injectedTime;
    private ITimeProvider _time = null!;
    private readonly bool _publishEvents;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private readonly Dictionary<string, ServiceEntry> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, ConnectionEntry> _connections = [];
    private readonly List<IActorRef> _scratch = [];

    /// <summary>The actor's timers; set by Akka before the actor starts.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Creates the registry; use <see cref="Props"/>.</summary>
    public RegistryActor(GatewaySettings settings, RouteTable routes, ITimeProvider? timeProvider, bool publishEvents)
    {
        _settings = settings;
        _routes = routes;
        _injectedTime = timeProvider;
        _publishEvents = publishEvents;

        Receive<RegisterService>(OnRegister);
        Receive<Touch>(_ => OnTouch(Sender));
        Receive<HeartbeatCheckTick>(_ => CheckHeartbeats());
        Receive<Terminated>(t => OnTerminated(t.ActorRef));
        Receive<Withdraw>(_ => OnTerminated(Sender));
        Receive<GetServices>(_ => Sender.Tell(new ServiceList(Snapshot())));
        Receive<GetService>(q => Sender.Tell(new ServiceLookup(q.Name,
            _services.TryGetValue(q.Name, out var s) ? ToInfo(s) : null)));
    }

    /// <summary>Props for the registry.</summary>
    /// <param name="settings">Gateway settings: heartbeat interval, timeout and check interval, gateway name.</param>
    /// <param name="routes">The routes connections route by; written by this registry only.</param>
    /// <param name="timeProvider">The clock for liveness; <c>null</c> uses the actor system's scheduler.</param>
    /// <param name="publishEvents">Publish <see cref="ServiceRegistered"/> and <see cref="ServiceDisconnected"/>
    /// on the event stream.</param>
    internal static Props Props(GatewaySettings settings, RouteTable routes, ITimeProvider? timeProvider = null, bool publishEvents = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(routes);
        return Akka.Actor.Props.Create(() => new RegistryActor(settings, routes, timeProvider, publishEvents));
    }

    /// <inheritdoc />
    protected override void PreStart()
    {
        _time = _injectedTime ?? Context.System.Scheduler;
        Timers.StartPeriodicTimer(HeartbeatTimerKey, HeartbeatCheckTick.Instance, _settings.HeartbeatCheckInterval);
        // A restarted registry lost its entries: routes to them would lead to connections it no
        // longer watches. The built-in service's route is the gateway's, not the registry's.
        foreach (var service in _routes.Services)
        {
            if (!string.Equals(service, BroService.Name, StringComparison.Ordinal))
                _routes.Set(service, []);
        }
    }

    private long NowMs() => _time.Now.ToUnixTimeMilliseconds();

    private void OnRegister(RegisterService register)
    {
        var connection = Sender;
        var endpoint = register.Endpoint;
        var message = register.Message;
        var name = message.ServiceName;
        var now = NowMs();

        if (_connections.TryGetValue(connection, out var existing))
        {
            // Keep the first registration: the connection's peer already has an ack for it and
            // may have calls in flight under that name.
            Refuse(endpoint, new ErrorInfo(
                $"Connection is already registered as service '{existing.Service.Name}'; cannot register another",
                ErrorCodes.InvalidMessage), now);
            existing.LastSeen = now;
            return;
        }

        if (Invalid(message) is { } problem)
        {
            // Nothing a peer sends is held or logged unbounded: the connection goes.
            Close(connection, endpoint, new ErrorInfo(problem, ErrorCodes.InvalidMessage));
            return;
        }

        if (string.Equals(name, BroService.Name, StringComparison.Ordinal))
        {
            // Refused as a duplicate is (CONNECTION_FAILED), the refusal ipc-bro clients know.
            Close(connection, endpoint, new ErrorInfo(
                $"Service name '{BroService.Name}' is reserved: the gateway answers it itself (its built-in service)", ErrorCodes.ConnectionFailed));
            return;
        }

        if (endpoint.Permissions is { } permissions && !permissions.MayRegister(name))
        {
            Close(connection, endpoint, new ErrorInfo(
                $"No rule of bro.gateway.policy lets uid {permissions.Peer.Uid} or gid {permissions.Peer.Gid} register '{name}'",
                ErrorCodes.Unauthorized));
            return;
        }

        if (InstanceRequest.TryRead(message.Metadata, _settings.MaxServiceNameLength, out var request) is { } badMetadata)
        {
            Close(connection, endpoint, new ErrorInfo(badMetadata, ErrorCodes.InvalidMessage));
            return;
        }

        InstanceEntry? instance = null;
        if (_services.TryGetValue(name, out var service))
        {
            // A join refused is answered as a duplicate, the answer ipc-bro clients know.
            var duplicate = register.PoolIndex is null
                ? InstanceJoinRefusal(service, request)
                : PoolJoinRefusal(service, request, endpoint, out instance);
            if (duplicate is not null)
            {
                Close(connection, endpoint, new ErrorInfo(duplicate, ErrorCodes.ConnectionFailed));
                return;
            }
        }
        else
        {
            // A poolIndex without an existing service creates it: the pool's first connection may
            // have lost a race with, or outlived, the others.
            service = new ServiceEntry(message, now, request.Group, request.Balance ?? _settings.DefaultBalancing);
            _services.Add(name, service);
        }

        instance ??= service.AddInstance(request.InstanceId, endpoint.Credentials, now);
        instance.Connections++;
        service.Connections.Add(connection);
        _connections.Add(connection, new ConnectionEntry(service, endpoint, register.PoolIndex, now, instance));
        Context.Watch(connection);

        // Name and ack first, route second, flush last: see the remarks.
        endpoint.AcceptRegistration(name, new RegisterAckMessage(
            _settings.GatewayName, GatewayVersion, (long)_settings.HeartbeatInterval.TotalMilliseconds));
        PublishRoute(service);
        endpoint.ResumeReading();

        if (_log.IsDebugEnabled)
            _log.Debug("Service '{0}' registered from {1} (instance '{2}', pool index {3}, {4} connections)",
                name, connection.Path, instance.Id, register.PoolIndex, service.Connections.Count);
        if (_publishEvents)
            Context.System.EventStream.Publish(new ServiceRegistered(
                name, message.Methods, message.Version, register.PoolIndex, message.Metadata, endpoint.Credentials)
            {
                InstanceId = instance.Id,
            });
    }

    /// <summary>Why a REGISTER may not be accepted (a limit it passes, a name it may not use); <c>null</c> when it may.</summary>
    private string? Invalid(RegisterMessage message)
    {
        var name = message.ServiceName;
        if (string.IsNullOrEmpty(name))
            return "REGISTER without a serviceName";
        var bytes = System.Text.Encoding.UTF8.GetByteCount(name);
        if (bytes > _settings.MaxServiceNameLength)
            return $"Service name of {bytes} bytes is over the limit of {_settings.MaxServiceNameLength} (bro.gateway.max-service-name-length)";
        if (name.Any(char.IsControl))
            return "Service name holds control characters";
        if (message.Methods.Count > _settings.MaxMethods)
            return $"REGISTER lists {message.Methods.Count} methods, over the limit of {_settings.MaxMethods} (bro.gateway.max-methods)";
        if (message.Metadata is { } metadata && metadata.Bytes.Length > _settings.MaxMetadataSize)
            return $"REGISTER metadata of {metadata.Bytes.Length} bytes is over the limit of {_settings.MaxMetadataSize} (bro.gateway.max-metadata-size)";
        return null;
    }

    /// <summary>
    /// Why a REGISTER without a pool index may not join the existing <paramref name="service"/>
    /// as a new instance, or <c>null</c> when it may: both the service and the newcomer must be
    /// a group, and the newcomer's instance id must be free.
    /// </summary>
    private static string? InstanceJoinRefusal(ServiceEntry service, InstanceRequest request)
    {
        var duplicate = $"Service '{service.Name}' is already registered";
        if (!service.IsGroup)
            return request.Group ? duplicate + ", not as an instance group: no other instance may join it" : duplicate;
        if (!request.Group)
            return duplicate + " as an instance group: a REGISTER joins it only with metadata.group = true";
        if (request.InstanceId is { } id && service.FindInstance(id) is not null)
            return $"Instance '{id}' of service '{service.Name}' is already registered";
        return null;
    }

    /// <summary>
    /// A pool is one process's connections: another process joining it would take a share of the
    /// service's calls. Finds the instance a pool connection joins (the one named by its
    /// instance id, else the one of its own process, else the first) and says why
    /// <paramref name="joining"/> may not join it, or <c>null</c> when it may: same process,
    /// the policy allows it, or the credentials are unknown (off Linux, where pools are joined
    /// as they always were). A group's pool connection naming an instance that is gone founds it
    /// again (its first connection may have outlived the others), leaving <paramref name="instance"/> null.
    /// </summary>
    private static string? PoolJoinRefusal(ServiceEntry service, InstanceRequest request, CallEndpoint joining, out InstanceEntry? instance)
    {
        var peer = joining.Credentials;
        if (!service.IsGroup)
            instance = service.Instances[0];
        else if (request.InstanceId is { } id)
        {
            instance = service.FindInstance(id);
            if (instance is null)
                return request.Group ? null : $"Service '{service.Name}' has no instance '{id}' for a pool connection to join";
        }
        else
            instance = service.Instances.Find(i => peer is not null && i.Credentials?.Pid == peer.Pid) ?? service.Instances[0];

        var first = instance.Credentials;
        if (first is null || peer is null || peer.Pid == first.Pid)
            return null;
        if (joining.Permissions?.MayJoinPoolFromOtherProcess(service.Name) == true)
            return null;
        var owner = service.IsGroup ? $"Instance '{instance.Id}' of service '{service.Name}'" : $"Service '{service.Name}'";
        return $"{owner} is already registered by process {first.Pid}; " +
               $"only that process may join its pool, not process {peer.Pid}";
    }

    /// <summary>Refuses a REGISTER for good: the connection is told why and closed.</summary>
    private void Close(IActorRef connection, CallEndpoint endpoint, ErrorInfo reason)
    {
        if (_log.IsDebugEnabled) _log.Debug("Refusing {0}: {1}", connection.Path, reason.Message);
        connection.Tell(new ConnectionCommands.Close(reason), Self);
        endpoint.ResumeReading();
    }

    private static void Refuse(CallEndpoint endpoint, ErrorInfo error, long now)
    {
        endpoint.WriteMessage(new ErrorMessage(null, error, now));
        endpoint.ResumeReading();
    }

    private void OnTouch(IActorRef connection)
    {
        if (_connections.TryGetValue(connection, out var entry))
            entry.LastSeen = NowMs();
    }

    private void CheckHeartbeats()
    {
        if (_connections.Count == 0) return;
        var now = NowMs();
        var timeoutMs = (long)_settings.HeartbeatTimeout.TotalMilliseconds;
        _scratch.Clear();
        foreach (var (connection, entry) in _connections)
            if (now - entry.LastSeen > timeoutMs)
                _scratch.Add(connection);
        if (_scratch.Count == 0) return;

        var removed = _scratch.ToArray();
        _scratch.Clear();
        foreach (var connection in removed)
        {
            var entry = _connections[connection];
            var reason = $"Service '{entry.Service.Name}' sent nothing for {now - entry.LastSeen} ms " +
                         $"(heartbeat timeout {timeoutMs} ms); connection evicted";
            _log.Warning("{0}", reason);
            // Stop watching first: the Terminated that follows the Close is not news.
            Context.Unwatch(connection);
            connection.Tell(new ConnectionCommands.Close(new ErrorInfo(reason, ErrorCodes.ConnectionLost)), Self);
            Remove(connection, entry, reason);
        }
    }

    private void OnTerminated(IActorRef connection)
    {
        if (!_connections.TryGetValue(connection, out var entry)) return;
        Remove(connection, entry, ClosedReason);
    }

    private void Remove(IActorRef connection, ConnectionEntry entry, string reason)
    {
        _connections.Remove(connection);
        var service = entry.Service;
        service.Connections.Remove(connection);
        if (--entry.Instance.Connections == 0)
            service.Instances.Remove(entry.Instance);
        if (service.Connections.Count == 0)
            _services.Remove(service.Name);
        PublishRoute(service);

        if (_log.IsDebugEnabled)
            _log.Debug("Service '{0}' lost connection {1} ({2}); {3} left", service.Name, connection.Path, reason, service.Connections.Count);
        if (_publishEvents)
            Context.System.EventStream.Publish(new ServiceDisconnected(service.Name, reason, service.Connections.Count)
            {
                InstanceId = entry.Instance.Id,
            });
    }

    private void PublishRoute(ServiceEntry service)
    {
        var endpoints = new List<CallEndpoint>(service.Connections.Count);
        foreach (var connection in service.Connections)
            endpoints.Add(_connections[connection].Endpoint);
        _routes.Set(service.Name, endpoints, service.Balancing);
    }

    private List<ServiceInfo> Snapshot()
    {
        var list = new List<ServiceInfo>(_services.Count);
        foreach (var service in _services.Values)
            list.Add(ToInfo(service));
        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return list;
    }

    private ServiceInfo ToInfo(ServiceEntry service)
    {
        var lastSeen = long.MinValue;
        var credentials = new List<PeerCredentials>(service.Connections.Count);
        var encodings = new List<BroEncoding>(service.Connections.Count);
        var inFlight = 0;
        long served = 0;
        foreach (var connection in service.Connections)
        {
            var entry = _connections[connection];
            lastSeen = Math.Max(lastSeen, entry.LastSeen);
            if (entry.Endpoint.Credentials is { } peer)
                credentials.Add(peer);
            encodings.Add(entry.Endpoint.Encoding);
            inFlight += entry.Endpoint.IncomingCount;
            served += Volatile.Read(ref entry.Endpoint.ResponsesRouted);
        }

        return new ServiceInfo(service.Name, service.Methods, service.Version, service.Metadata,
            service.Connections.Count,
            DateTimeOffset.FromUnixTimeMilliseconds(service.ConnectedAt),
            DateTimeOffset.FromUnixTimeMilliseconds(lastSeen),
            credentials, encodings, inFlight, served)
        {
            IsGroup = service.IsGroup,
            Balancing = service.Balancing,
            Instances = service.Instances.ConvertAll(i => new ServiceInstanceInfo(
                i.Id, i.Credentials, i.Connections, DateTimeOffset.FromUnixTimeMilliseconds(i.RegisteredAt))),
        };
    }
}
