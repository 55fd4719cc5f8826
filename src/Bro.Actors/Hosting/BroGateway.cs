using Akka.Actor;
using Akka.Event;
using Bro.BuiltIn;
using Bro.BuiltIn.Internal;
using Bro.Configuration;
using Bro.Protocol;
using Bro.Events;
using Bro.Federation;
using Bro.Connection;
using Bro.Events.Internal;
using Bro.Registry;
using Bro.Routing;
using Bro.Transport;

namespace Bro.Hosting;

/// <summary>
/// The gateway for users who don't want to touch actors: start it, stop it, ask it what is
/// connected, and listen to its events. It runs a registry, a router, the built-in service
/// (<see cref="BroService"/>) and a socket listener on an actor system: its own, or one the
/// host provides.
/// </summary>
/// <remarks>
/// Thread-safe. Events are raised on an actor, one at a time and in order; subscribe before
/// <see cref="StartAsync"/>. The per-call events (<see cref="CallRouted"/>,
/// <see cref="ResponseRouted"/>, <see cref="Error"/>) cost an allocation per frame, so they
/// are published only when one of them has a handler at start (or with <c>debug</c> on).
/// </remarks>
public sealed class BroGateway : IAsyncDisposable
{
    private static long _instances;

    private readonly ActorSystem? _providedSystem;
    private readonly ITimeProvider? _time;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private ActorSystem? _system;
    private IActorRef? _registry;
    private IActorRef? _router;
    private IActorRef? _listener;
    private IActorRef? _events;
    private IActorRef? _builtIn;
    private IActorRef? _federation;
    // The federation actor's data port: bound before the actors start, closed after they stopped.
    private DataLinkListener? _dataPort;
    private volatile bool _running;

    /// <summary>Creates a gateway; nothing listens until <see cref="StartAsync"/>.</summary>
    /// <param name="settings">What to listen on and how to route; <c>null</c> for the defaults.</param>
    /// <param name="system">An actor system to run on; <c>null</c> makes (and later terminates) one of its own.</param>
    /// <param name="timeProvider">The clock for deadlines and heartbeats; <c>null</c> uses the actor
    /// system's scheduler. Tests pass a fixed or virtual clock.</param>
    public BroGateway(GatewaySettings? settings = null, ActorSystem? system = null, ITimeProvider? timeProvider = null)
    {
        Settings = settings ?? GatewaySettings.Default;
        _providedSystem = system;
        _time = timeProvider;
    }

    /// <summary>The settings this gateway runs with.</summary>
    public GatewaySettings Settings { get; }

    /// <summary>Whether the gateway is listening.</summary>
    public bool IsRunning => _running;

    /// <summary>Raised once the socket listens; carries its path.</summary>
    public event EventHandler<GatewayStarted>? Started;

    /// <summary>Raised once the gateway has stopped and its socket file is gone.</summary>
    public event EventHandler? Stopped;

    /// <summary>
    /// Raised when the gateway stops on its own, not through <see cref="StopAsync"/>: its listener
    /// could not go on. <see cref="IsRunning"/> is false by then, every connection is closed,
    /// <see cref="Error"/> has been raised (INTERNAL_ERROR, the same reason), and
    /// <see cref="Stopped"/> follows.
    /// </summary>
    public event EventHandler<GatewayFaulted>? Faulted;

    /// <summary>Raised when a service (or an extra pooled connection of one) registers.</summary>
    public event EventHandler<ServiceRegistered>? ServiceRegistered;

    /// <summary>Raised when a service connection closes or is evicted.</summary>
    public event EventHandler<ServiceDisconnected>? ServiceDisconnected;

    /// <summary>Raised for every CALL forwarded (see the remarks on cost).</summary>
    public event EventHandler<CallRouted>? CallRouted;

    /// <summary>Raised for every RESPONSE forwarded (see the remarks on cost).</summary>
    public event EventHandler<ResponseRouted>? ResponseRouted;

    /// <summary>
    /// Raised for every error the gateway answered itself (see the remarks on cost), and when its
    /// listener fails (INTERNAL_ERROR, before <see cref="Faulted"/>; raised then whether or not a
    /// handler was attached at start).
    /// </summary>
    public event EventHandler<GatewayErrorOccurred>? Error;

    /// <summary>The gateway's log lines (Akka log events of its actor system).</summary>
    public event EventHandler<LogEvent>? Log;

    /// <summary>
    /// Binds the socket and starts routing. Completes once the socket listens.
    /// </summary>
    /// <exception cref="UnixSocketBindException">
    /// The path is in use by a live listener, its directory is missing, or it is too long.
    /// </exception>
    /// <exception cref="InvalidOperationException">The gateway is already running.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_running)
                throw new InvalidOperationException("The gateway is already running");

            var system = _system = _providedSystem ?? CreateSystem(Settings);
            if (Settings.Cluster is not null && ((ExtendedActorSystem)system).Provider is not Akka.Cluster.ClusterActorRefProvider)
                throw new InvalidOperationException(
                    "bro.gateway.cluster is set but the actor system given to the gateway is not a cluster system: configure it with FederationConfig.For(...)");
            // Bound before any actor starts: a data port in use fails the start at once.
            try
            {
                _dataPort = Settings.Cluster is { } federation ? new DataLinkListener(federation) : null;
            }
            catch
            {
                await StopActorsAsync().ConfigureAwait(false);
                throw;
            }

            var name = "bro-gateway-" + Interlocked.Increment(ref _instances);
            var callEvents = Settings.Debug || CallRouted is not null || ResponseRouted is not null || Error is not null;

            _events = system.ActorOf(EventForwarderActor.Props(RaiseEvent, Log is not null), name + "-events");
            var routes = new RouteTable { PreferLocal = Settings.Cluster?.PreferLocal ?? true };
            var router = new CallRouter(Settings, routes, _time ?? system.Scheduler,
                Logging.GetLogger(system, typeof(CallRouter)), callEvents ? system.EventStream : null, CreateAlarm(system));
            _router = system.ActorOf(RouterActor.Props(Settings, router), name + "-router");
            _registry = system.ActorOf(RegistryActor.Props(Settings, routes, _time, publishEvents: true), name + "-registry");
            if (Settings.Cluster is { } cluster)
                _federation = system.ActorOf(FederationActor.Props(Settings, cluster, router, routes, _dataPort!), FederationActor.Name);
            _builtIn = system.ActorOf(BroServiceActor.Props(Settings, router, _registry, _federation), name + "-service");
            var builtIn = new BroServiceEndpoint(_builtIn);
            router.Attach(builtIn);
            routes.Set(BroService.Name, [builtIn]);
            _listener = system.ActorOf(ListenerActor.Props(Settings, _registry, router), name + "-listener");

            var bound = await _listener.Ask(ListenerActor.GetBinding.Instance, cancellationToken).ConfigureAwait(false);
            if (bound is Status.Failure failure)
            {
                await StopActorsAsync().ConfigureAwait(false);
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure.Cause);
            }

            _running = true;
            _ = WatchListenerAsync(_listener);
        }
        finally
        {
            _lifecycle.Release();
        }

        Started?.Invoke(this, new GatewayStarted(Settings.SocketPath));
    }

    /// <summary>
    /// Stops listening (the socket file is deleted), answers every call in flight with an error
    /// RESPONSE (CONNECTION_LOST, "The gateway is shutting down"), then closes every connection
    /// once it has written what it had queued (at most 2 s each). Does nothing when not running.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_running)
                return;
            _running = false;
            await StopActorsAsync().ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }

        Stopped?.Invoke(this, EventArgs.Empty);
    }

    /// <summary>The names of the registered services, in order.</summary>
    public async Task<IReadOnlyList<string>> GetConnectedServicesAsync(CancellationToken cancellationToken = default)
    {
        var services = await ServicesAsync(cancellationToken).ConfigureAwait(false);
        return services.Select(s => s.Name).ToArray();
    }

    /// <summary>What the gateway knows of one service, or <c>null</c> when none has that name.</summary>
    public async Task<ServiceInfo?> GetServiceAsync(string name, CancellationToken cancellationToken = default)
    {
        var lookup = await Registry.Ask<RegistryActor.ServiceLookup>(new RegistryActor.GetService(name), cancellationToken)
            .ConfigureAwait(false);
        return lookup.Service;
    }

    /// <summary>Whether a service of that name is registered.</summary>
    public async Task<bool> IsServiceConnectedAsync(string name, CancellationToken cancellationToken = default) =>
        await GetServiceAsync(name, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>A snapshot of the gateway: services and counters.</summary>
    public async Task<GatewayStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        if (!_running || _router is null)
            return new GatewayStatus(false, Settings.SocketPath, 0, [], 0, 0, 0, System.Collections.Immutable.ImmutableDictionary<string, long>.Empty);

        var services = await ServicesAsync(cancellationToken).ConfigureAwait(false);
        var stats = await _router.Ask<GatewayStats>(RouterActor.GetStats.Instance, cancellationToken).ConfigureAwait(false);
        var names = services.Select(s => s.Name).ToArray();
        return new GatewayStatus(true, Settings.SocketPath, names.Length, names,
            stats.CallsRouted, stats.ResponsesRouted, stats.PendingCalls, stats.ErrorsByCode, stats.ResponsesDropped);
    }

    /// <summary>Stops the gateway (see <see cref="StopAsync"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _lifecycle.Dispose();
    }

    private IActorRef Registry =>
        _running && _registry is not null ? _registry : throw new InvalidOperationException("The gateway is not running");

    private async Task<IReadOnlyList<ServiceInfo>> ServicesAsync(CancellationToken cancellationToken)
    {
        var list = await Registry.Ask<RegistryActor.ServiceList>(RegistryActor.GetServices.Instance, cancellationToken)
            .ConfigureAwait(false);
        return list.Services;
    }

    /// <summary>A listener that stops while the gateway runs has failed: the gateway stops and says so.</summary>
    private async Task WatchListenerAsync(IActorRef listener)
    {
        await listener.WatchAsync().ConfigureAwait(false);
        try
        {
            await _lifecycle.WaitAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return; // disposed: stopped through DisposeAsync
        }

        try
        {
            if (!_running || !ReferenceEquals(_listener, listener))
                return; // stopped through StopAsync
            _running = false;
            await StopActorsAsync().ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }

        var reason = $"The listener on {Settings.SocketPath} stopped; the gateway is no longer running";
        Error?.Invoke(this, new GatewayErrorOccurred(ErrorCodes.InternalError, reason, null));
        Faulted?.Invoke(this, new GatewayFaulted(reason));
        Stopped?.Invoke(this, EventArgs.Empty);
    }

    // The stock scheduler rounds every timer up to its tick (50 ms in the console): deadlines get
    // a thread timer on the system clock instead. Any other scheduler (a test's virtual one), or
    // an injected clock, keeps the alarm on the scheduler whose clock the router reads.
    private DeadlineAlarm CreateAlarm(ActorSystem system) =>
        _time is null && system.Scheduler is HashedWheelTimerScheduler ? new ThreadTimerAlarm() : new SchedulerAlarm(system.Scheduler);

    private async Task StopActorsAsync()
    {
        var stopTimeout = TimeSpan.FromSeconds(10);
        // In a cluster, the other gateways stop routing here first (the entries leave the
        // directory), so that few calls arrive only to be answered "shutting down".
        if (_federation is not null && _system is { WhenTerminated.IsCompleted: false })
        {
            try
            {
                await _federation.Ask<FederationActor.Withdrawn>(FederationActor.Withdraw.Instance, TimeSpan.FromSeconds(3)).ConfigureAwait(false);
            }
            catch (AskTimeoutException)
            {
            }
        }

        // The listener first: it unbinds, answers every call in flight, and closes every
        // connection once it has written what it had queued (ListenerActor.Shutdown); the
        // registry sees those as terminations.
        if (_listener is not null)
            await _listener.GracefulStop(stopTimeout, ListenerActor.Shutdown.Instance).ConfigureAwait(false);
        foreach (var actor in new[] { _federation, _builtIn, _registry, _router, _events })
        {
            if (actor is not null)
                await actor.GracefulStop(stopTimeout).ConfigureAwait(false);
        }

        _listener = _registry = _router = _events = _builtIn = _federation = null;
        _dataPort?.Dispose();
        _dataPort = null;
        if (_providedSystem is null && _system is not null)
            await _system.Terminate().ConfigureAwait(false);
        _system = null;
    }

    /// <summary>
    /// The actor system of a gateway that brings its own: a cluster member named
    /// <see cref="FederationSettings.SystemName"/> when <see cref="GatewaySettings.Cluster"/> is set.
    /// </summary>
    private static ActorSystem CreateSystem(GatewaySettings settings) => settings.Cluster is { } cluster
        ? ActorSystem.Create(FederationSettings.SystemName, FederationConfig.For(cluster).WithFallback(BroConfig.Default))
        : ActorSystem.Create("bro-gateway", BroConfig.Default);

    /// <summary>
    /// What this gateway knows of its cluster (members, and which gateway serves which service);
    /// <c>null</c> when it is not running or runs on one host only.
    /// </summary>
    public async Task<FederationView?> GetClusterViewAsync(CancellationToken cancellationToken = default)
    {
        if (!_running || _federation is not { } federation)
            return null;
        return await federation.Ask<FederationView>(FederationActor.GetView.Instance, cancellationToken).ConfigureAwait(false);
    }

    private void RaiseEvent(object e)
    {
        switch (e)
        {
            case ServiceRegistered registered: ServiceRegistered?.Invoke(this, registered); break;
            case ServiceDisconnected disconnected: ServiceDisconnected?.Invoke(this, disconnected); break;
            case CallRouted routed: CallRouted?.Invoke(this, routed); break;
            case ResponseRouted routed: ResponseRouted?.Invoke(this, routed); break;
            case GatewayErrorOccurred error: Error?.Invoke(this, error); break;
            case LogEvent log: Log?.Invoke(this, log); break;
        }
    }
}
