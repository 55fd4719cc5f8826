using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Bro.Configuration;
using Bro.Connection.Internal;
using Bro.Connection;
using Bro.Protocol;
using Bro.Routing;
using Bro.Security.Internal;
using Bro.Transport;
using Bro.Transport.Internal;

namespace Bro.Connection;

/// <summary>
/// Listens on the gateway's Unix socket and starts one <see cref="ConnectionActor"/> per
/// accepted peer, as its child. Stopping the listener unbinds (the socket file is deleted) and
/// stops every connection with it.
/// </summary>
/// <remarks>
/// Accepting runs in a loop of its own, off this actor: each accepted socket reaches the actor
/// as one message, which starts its connection, so a burst of connects is taken off the listen
/// backlog (listen-backlog long) as fast as the kernel hands them over.
/// </remarks>
internal sealed class ListenerActor : ReceiveActor
{
    /// <summary>Asks for the binding; answered with <see cref="Bound"/> or <see cref="Status.Failure"/>.</summary>
    public sealed record GetBinding
    {
        /// <summary>The single instance.</summary>
        public static GetBinding Instance { get; } = new();
        private GetBinding() { }
    }

    /// <summary>The listener is bound and accepting.</summary>
    /// <param name="SocketPath">The path it listens on.</param>
    public sealed record Bound(string SocketPath);

    /// <summary>
    /// Stop gracefully: stop accepting, answer every call in flight, close every connection
    /// (each writes out what it has queued), then stop. The listener's stop message.
    /// </summary>
    public sealed record Shutdown
    {
        /// <summary>The single instance.</summary>
        public static Shutdown Instance { get; } = new();
        private Shutdown() { }
    }

    private sealed record Listening(UnixSocketListener Listener);

    private sealed record Accepted(Socket Socket);

    private sealed record AcceptFailed(Exception Cause);

    private sealed record AcceptPaused(SocketException Cause, TimeSpan Retry);

    private readonly GatewaySettings _settings;
    private readonly IActorRef _registry;
    private readonly CallRouter _router;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ILoggingAdapter _connectionLog;
    private readonly ThrottledWarning _refusals;
    private readonly List<IActorRef> _waiting = [];
    private UnixSocketListener? _listener;
    private object? _binding;
    private long _accepted;
    private int _open;

    public ListenerActor(GatewaySettings settings, IActorRef registry, CallRouter router)
    {
        _settings = settings;
        _registry = registry;
        _router = router;
        _connectionLog = Logging.GetLogger(Context.System, typeof(SocketConnection));
        // Refusals are a stranger's to cause, as often as it connects: one line a second at most.
        _refusals = new ThrottledWarning(_log, TimeSpan.FromSeconds(1));

        Receive<Listening>(OnListening);
        Receive<Status.Failure>(failure => Fail(failure.Cause));
        Receive<GetBinding>(_ =>
        {
            if (_binding is null) _waiting.Add(Sender);
            else Sender.Tell(_binding);
        });
        Receive<Accepted>(accepted => Open(accepted.Socket));
        Receive<Terminated>(_ => _open--);
        Receive<AcceptFailed>(failed => Fail(failed.Cause));
        Receive<AcceptPaused>(paused => _log.Warning("Accepting on {0} failed ({1}: {2}); accepting again in {3} ms",
            _settings.SocketPath, paused.Cause.SocketErrorCode, paused.Cause.Message, paused.Retry.TotalMilliseconds));
        Receive<Shutdown>(_ => BeginShutdown());
    }

    /// <summary>Props for the listener.</summary>
    /// <param name="settings">Gateway settings: the socket path, backlog, and what connections need.</param>
    /// <param name="registry">The registry actor, handed to every connection.</param>
    /// <param name="router">The data plane, handed to every connection.</param>
    internal static Props Props(GatewaySettings settings, IActorRef registry, CallRouter router) =>
        Akka.Actor.Props.Create(() => new ListenerActor(settings, registry, router));

    /// <inheritdoc />
    protected override void PreStart() =>
        UnixSocketListener.BindAsync(_settings.SocketPath, _settings.ListenBacklog, _settings.SocketMode)
            .PipeTo(Self, success: listener => new Listening(listener));

    /// <inheritdoc />
    protected override void PostStop() => _listener?.Dispose();

    /// <summary>
    /// A connection actor that fails is stopped, never restarted: a restart would start a second
    /// read loop on the same socket. Stopping closes the socket and answers its callers.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    private void OnListening(Listening listening)
    {
        _listener = listening.Listener;
        Answer(new Bound(_listener.Path));
        _ = AcceptLoopAsync(_listener, Self);
    }

    private void BeginShutdown()
    {
        // Unbinding first: nobody new gets in while the others are told.
        _listener?.Dispose();
        _router.ShutDown();
        var reason = new ErrorInfo("The gateway is shutting down", ErrorCodes.ConnectionLost);
        foreach (var connection in Context.GetChildren())
            connection.Tell(new ConnectionCommands.Close(reason));

        Become(() =>
        {
            Receive<Terminated>(_ =>
            {
                if (--_open == 0) Context.Stop(Self);
            });
            Receive<Accepted>(accepted => accepted.Socket.Dispose());
        });
        if (_open == 0)
            Context.Stop(Self);
    }

    private void Open(Socket socket)
    {
        var credentials = SocketPeerCredentials.Read(socket);
        PeerPermissions? permissions = null;
        if (_settings.Policy is { } policy && (permissions = policy.Admit(credentials, out var refusal)) is null)
        {
            // Before a read loop exists: nothing the stranger sent is ever read.
            Refuse(socket, new ErrorInfo(refusal, ErrorCodes.Unauthorized));
            return;
        }

        if (_open >= _settings.MaxConnections)
        {
            Refuse(socket, new ErrorInfo(
                $"The gateway has {_open} connections open, the most bro.gateway.max-connections allows", ErrorCodes.ConnectionFailed));
            return;
        }

        var connection = new SocketConnection(socket, _settings, _router, _registry, _connectionLog, credentials, permissions);
        Context.Watch(Context.ActorOf(ConnectionActor.Props(_settings, connection), "connection-" + ++_accepted));
        _open++;
    }

    /// <summary>
    /// A connection over max-connections, or one the policy does not admit: told why (in JSON,
    /// its encoding is not known yet) and closed at once, without an actor or a read loop.
    /// </summary>
    private void Refuse(Socket socket, ErrorInfo reason)
    {
        _refusals.Warn($"Connection refused: {reason.Message}", Environment.TickCount64);
        var error = new ErrorMessage(null, reason, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        try
        {
            // A few hundred bytes into an empty socket buffer: the kernel takes them at once.
            socket.Blocking = false;
            socket.Send(Frames.Serialize(error, BroEncoding.Json));
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // The peer is gone already.
        }
        finally
        {
            socket.Dispose();
        }
    }

    private static async Task AcceptLoopAsync(UnixSocketListener listener, IActorRef self)
    {
        var retry = FirstRetry;
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync().ConfigureAwait(false);
                retry = FirstRetry;
            }
            catch (ObjectDisposedException)
            {
                return; // unbound
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
            {
                return; // unbound while accepting
            }
            catch (SocketException e) when (IsTransient(e.SocketErrorCode))
            {
                // Out of file descriptors or kernel buffers, or a peer that gave up while queued:
                // the listener is fine, the connects wait in the backlog until there is room.
                self.Tell(new AcceptPaused(e, retry));
                await Task.Delay(retry).ConfigureAwait(false);
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, LastRetry.Ticks));
                continue;
            }
            catch (Exception e)
            {
                // The listening socket itself is broken: the listener stops and says why.
                self.Tell(new AcceptFailed(e));
                return;
            }

            self.Tell(new Accepted(socket));
        }
    }

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(1);

    private static bool IsTransient(SocketError error) => error is SocketError.TooManyOpenSockets
        or SocketError.NoBufferSpaceAvailable or SocketError.ConnectionAborted or SocketError.ConnectionReset
        or SocketError.TryAgain or SocketError.WouldBlock or SocketError.Interrupted;

    private void Fail(Exception cause)
    {
        if (_binding is null)
            Answer(new Status.Failure(cause));
        else
            _log.Error(cause, "Listener on {0} failed", _settings.SocketPath);
        Context.Stop(Self);
    }

    private void Answer(object result)
    {
        _binding = result;
        foreach (var waiter in _waiting)
            waiter.Tell(result);
        _waiting.Clear();
    }
}
