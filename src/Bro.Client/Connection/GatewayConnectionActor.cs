using Akka.Actor;
using Akka.Event;
using Bro.Client.Events;
using Bro.Client.Internal;
using Bro.Protocol;

namespace Bro.Client.Connection;

/// <summary>
/// Owns one connection of a <see cref="BroClient"/> (one per pool index): the socket, the
/// REGISTER handshake, heartbeats and reconnection.
/// </summary>
/// <remarks>
/// <code>
/// Stopped ──Connect──► Connecting ──socket open──► Registering ──REGISTER_ACK──► Connected
///                          │                           │                          │
///                          └──── no socket, ERROR ─────┤                          │ HeartbeatTick: HEARTBEAT
///                                (refused), no ack     │                          │
///                                in time               ▼                          │ socket ended:
///                           first attempt? ── yes ──► Stopped (ConnectAsync fails │ pending calls fail with
///                                │ no                  with CONNECTION_FAILED)    │ CONNECTION_LOST
///                                ▼                                                ▼
///                           Reconnecting ◄──────────── auto-reconnect ────────────┤
///                                │ ReconnectTick (Backoff.Delay: doubling,        │ no auto-reconnect
///                                │ capped at 30 s) ──► Connecting                 ▼
///                                                                              Stopped
/// Disconnect, from any state ──► Stopping (socket closed; pending calls on this connection
/// fail with NOT_CONNECTED) ──socket ended──► Stopped (Connect may start again)
/// </code>
/// The data plane is a <see cref="GatewaySocket"/>: a read loop dispatching each frame on its
/// own thread, and the <see cref="ConnectionHandle"/>'s outbound queue flushed once per batch.
/// Calls and responses never pass through this actor: writers queue their frames themselves and
/// the read loop completes pending calls itself; it stops reading while more CALLs wait for a
/// handler than the queue holds (see <see cref="HandlerSlots"/>). Only the handshake frames
/// (REGISTER_ACK, ERROR) and the socket's opening and end come here. Every such message carries
/// the <see cref="ConnectionHandle"/> it belongs to, so a message from a socket already replaced
/// by a reconnect is recognised and ignored.
/// </remarks>
internal sealed class GatewayConnectionActor : ReceiveActor, IWithTimers
{
    private const string HeartbeatTimer = "heartbeat";
    private const string ReconnectTimer = "reconnect";
    private const string RegisterTimer = "register-timeout";
    private const string StopTimer = "stop-timeout";
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly ClientCore _core;
    private readonly int _poolIndex;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private ConnectionHandle? _handle;
    private GatewaySocket? _socket;
    private TaskCompletionSource? _connectDone;
    private TaskCompletionSource? _stopDone;
    private ErrorInfo? _refusal;
    private int _attempt;

    /// <summary>Creates the actor of pool connection <paramref name="poolIndex"/>.</summary>
    public GatewayConnectionActor(ClientCore core, int poolIndex)
    {
        _core = core;
        _poolIndex = poolIndex;
        Stopped();
    }

    /// <summary>Named timers: heartbeats, the REGISTER_ACK wait and the reconnect backoff.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of the actor owning pool connection <paramref name="poolIndex"/>.</summary>
    public static Props Props(ClientCore core, int poolIndex) =>
        Akka.Actor.Props.Create(() => new GatewayConnectionActor(core, poolIndex));

    /// <summary>Connect and register; <paramref name="Done"/> completes when registered, or fails with CONNECTION_FAILED.</summary>
    public sealed record Connect(TaskCompletionSource Done);

    /// <summary>Close the connection and stop reconnecting; <paramref name="Done"/> completes once the socket is closed.</summary>
    public sealed record Disconnect(TaskCompletionSource Done);

    /// <summary>The gateway acknowledged the REGISTER sent on <paramref name="Connection"/>.</summary>
    public sealed record RegisterAckReceived(ConnectionHandle Connection, RegisterAckMessage Ack);

    /// <summary>The gateway sent an ERROR frame on <paramref name="Connection"/>.</summary>
    public sealed record GatewayErrorReceived(ConnectionHandle Connection, ErrorInfo Error);

    /// <summary>The primary connection (pool index 0) registered: a waiting pooled connection may register now.</summary>
    public sealed class PrimaryRegistered : IDeadLetterSuppression
    {
        /// <summary>The singleton.</summary>
        public static readonly PrimaryRegistered Instance = new();
    }

    /// <summary>The socket of <paramref name="Connection"/> connected.</summary>
    public sealed record SocketOpened(ConnectionHandle Connection);

    /// <summary>Reading <paramref name="Connection"/>'s socket ended: closed by either side (<paramref name="Cause"/> null) or failed.</summary>
    public sealed record StreamEnded(ConnectionHandle Connection, Exception? Cause);

    private sealed record RegisterTimeoutTick(ConnectionHandle Connection) : IDeadLetterSuppression;

    private sealed class HeartbeatTick : IDeadLetterSuppression
    {
        public static readonly HeartbeatTick Instance = new();
    }

    private sealed class ReconnectTick : IDeadLetterSuppression
    {
        public static readonly ReconnectTick Instance = new();
    }

    private sealed class StopTimeoutTick : IDeadLetterSuppression
    {
        public static readonly StopTimeoutTick Instance = new();
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        if (_handle is { } handle)
            _core.Unpublish(handle);
        _socket?.Close();
        _connectDone?.TrySetException(NotConnected("The client was stopped while connecting"));
        _stopDone?.TrySetResult();
    }

    private void Stopped()
    {
        Receive<Connect>(connect =>
        {
            _connectDone = connect.Done;
            _attempt = 0;
            StartConnecting();
        });
        Receive<Disconnect>(disconnect => disconnect.Done.TrySetResult());
        ReceiveAny(_ => { });
    }

    private void Connecting()
    {
        Receive<SocketOpened>(opened => opened.Connection == _handle, _ =>
        {
            if (_log.IsDebugEnabled)
                _log.Debug("Connection {0} to {1} open, waiting for REGISTER_ACK", _poolIndex, _core.Options.GatewayPath);
            Become(Registering);
        });
        Registering();
    }

    private void Registering()
    {
        Receive<RegisterAckReceived>(ack => ack.Connection == _handle, ack => OnRegistered(ack.Connection, ack.Ack));
        Receive<GatewayErrorReceived>(error => error.Connection == _handle, error =>
        {
            // A refusal (duplicate name) is followed by the gateway closing: fail at once.
            _refusal = error.Error;
            FailAttempt(error.Error.Message);
        });
        Receive<StreamEnded>(ended => ended.Connection == _handle, ended => FailAttempt(
            _refusal?.Message ?? ended.Cause?.Message ?? "The gateway closed the connection before REGISTER_ACK"));
        Receive<RegisterTimeoutTick>(tick => tick.Connection == _handle, _ => FailAttempt(
            $"No REGISTER_ACK from {_core.Options.GatewayPath} within {(long)_core.Options.RegisterTimeout.TotalMilliseconds}ms"));
        Receive<Connect>(connect => Join(connect.Done));
        Receive<Disconnect>(disconnect =>
        {
            _connectDone?.TrySetException(NotConnected("Disconnected while connecting"));
            _connectDone = null;
            BeginStop(disconnect.Done);
        });
        ReceiveAny(_ => { });
    }

    private void Connected()
    {
        Receive<HeartbeatTick>(_ =>
        {
            var heartbeat = new HeartbeatMessage(_core.Options.ServiceName, _core.Time.GetUtcNow().ToUnixTimeMilliseconds());

            // A full queue already proves liveness to the gateway; a dropped heartbeat costs nothing.
            _handle?.TryWrite(heartbeat);
        });
        Receive<StreamEnded>(ended => ended.Connection == _handle, ended => OnConnectionLost(
            ended.Cause?.Message ?? "The gateway closed the connection"));
        Receive<Connect>(connect => connect.Done.TrySetResult());
        Receive<Disconnect>(disconnect =>
        {
            Timers.Cancel(HeartbeatTimer);
            _core.Unpublish(_handle!);
            _core.AbandonPending(_handle!);
            // Completed before the sweep: a call racing with it either is swept or fails its write.
            _handle!.Complete();
            _core.Pending.FailAll(_poolIndex, () => NotConnected("The client disconnected"));
            _core.Owner.RaiseDisconnected(_poolIndex, "Disconnected by the client", willReconnect: false);
            BeginStop(disconnect.Done);
        });
        ReceiveAny(_ => { });
    }

    private void Reconnecting()
    {
        Receive<ReconnectTick>(_ =>
        {
            // A pooled connection registering before its primary would create the service under a
            // poolIndex, and the primary's plain REGISTER would then be refused as a duplicate.
            if (_poolIndex != 0 && _core.Primary is null)
                ScheduleReconnect();
            else
                StartConnecting();
        });
        Receive<PrimaryRegistered>(_ =>
        {
            Timers.Cancel(ReconnectTimer);
            StartConnecting();
        });
        Receive<Connect>(connect =>
        {
            Timers.Cancel(ReconnectTimer);
            _connectDone = connect.Done;
            StartConnecting();
        });
        Receive<Disconnect>(disconnect =>
        {
            Timers.Cancel(ReconnectTimer);
            Become(Stopped);
            disconnect.Done.TrySetResult();
        });
        ReceiveAny(_ => { });
    }

    private void Stopping()
    {
        Receive<StreamEnded>(ended => ended.Connection == _handle, _ => OnStreamStopped());
        Receive<StopTimeoutTick>(_ => OnStreamStopped());
        Receive<Connect>(connect => connect.Done.TrySetException(NotConnected("The client is disconnecting")));
        Receive<Disconnect>(disconnect => Join(disconnect.Done, _stopDone!));
        ReceiveAny(_ => { });
    }

    private void StartConnecting()
    {
        _refusal = null;
        var handle = new ConnectionHandle(_poolIndex, _core.Options.OutboundQueueSize, _core.Codec, _core.Options.MaxFrameSize);
        // The primary registers plainly, except when it reconnects while pooled connections of
        // ours are still registered: the service then exists and a plain REGISTER would be
        // refused as a duplicate, so it joins its own pool (poolIndex 0) instead.
        var joinPool = _poolIndex != 0 || _core.OpenConnections.Count > 0;
        var register = new RegisterMessage(
            _core.Options.ServiceName,
            _core.Methods.Names,
            _core.Options.Version,
            RegisterMetadata.For(_core, joinPool ? _poolIndex : null));

        // Queued before the socket opens: it is written first, as soon as the socket connects.
        handle.TryWrite(register);

        var socket = new GatewaySocket(_core, handle, Self);
        socket.Start(_core.Options.GatewayPath);
        _handle = handle;
        _socket = socket;
        Timers.StartSingleTimer(RegisterTimer, new RegisterTimeoutTick(handle), _core.Options.RegisterTimeout);
        Become(Connecting);
    }

    private void OnRegistered(ConnectionHandle handle, RegisterAckMessage ack)
    {
        Timers.Cancel(RegisterTimer);
        handle.IsBroGateway = string.Equals(ack.Gateway, "bro", StringComparison.Ordinal);
        var interval = _core.Options.HeartbeatInterval;
        // Only a Bro gateway announces an interval (ipc-bro's ack is bare); the smaller one wins.
        if (ack.HeartbeatInterval is > 0 and var announced && TimeSpan.FromMilliseconds(announced) < interval)
            interval = TimeSpan.FromMilliseconds(announced);
        Timers.StartPeriodicTimer(HeartbeatTimer, HeartbeatTick.Instance, interval);

        _core.Publish(handle);
        if (_attempt > 0)
            ClientInstruments.Reconnected(_core.Options.ServiceName);
        _attempt = 0;
        Become(Connected);
        _log.Info("Connection {0} of {1} registered at {2} (gateway {3}, heartbeat {4})",
            _poolIndex, _core.Options.ServiceName, _core.Options.GatewayPath, ack.Gateway ?? "ipc-bro", interval);
        _core.Owner.RaiseConnected(_poolIndex);
        if (_poolIndex == 0)
        {
            foreach (var pooled in _core.Connections.Skip(1))
                pooled.Tell(PrimaryRegistered.Instance);
        }

        _connectDone?.TrySetResult();
        _connectDone = null;
    }

    private void FailAttempt(string reason)
    {
        Timers.Cancel(RegisterTimer);
        ShutdownStream();
        if (_connectDone is { } done)
        {
            // The first attempt belongs to ConnectAsync: its caller decides whether to retry.
            _connectDone = null;
            Become(Stopped);
            done.TrySetException(new BroException(ErrorCodes.ConnectionFailed, reason));
            return;
        }

        _core.Owner.RaiseLog(BroLogLevel.Warning, $"Reconnecting connection {_poolIndex} failed: {reason}");
        ScheduleReconnect();
    }

    private void OnConnectionLost(string reason)
    {
        Timers.Cancel(HeartbeatTimer);
        var handle = _handle!;
        _core.Unpublish(handle);

        // Completed before the sweep: a call racing with it either is swept or fails its write.
        _socket!.Close();
        _socket = null;
        _handle = null;
        var failed = _core.Pending.FailAll(_poolIndex, () => new BroException(
            ErrorCodes.ConnectionLost, $"Connection to the gateway lost: {reason}"));
        _log.Warning("Connection {0} of {1} lost ({2}); {3} pending calls failed", _poolIndex, _core.Options.ServiceName, reason, failed);
        var reconnect = _core.Options.AutoReconnect;
        _core.Owner.RaiseDisconnected(_poolIndex, reason, reconnect);
        if (reconnect)
            ScheduleReconnect();
        else
            Become(Stopped);
    }

    private void ScheduleReconnect()
    {
        var delay = Backoff.Delay(_attempt++, _core.Options.ReconnectDelay);
        _core.Owner.RaiseLog(BroLogLevel.Info, $"Connection {_poolIndex} reconnecting in {(long)delay.TotalMilliseconds}ms (attempt {_attempt})");
        Timers.StartSingleTimer(ReconnectTimer, ReconnectTick.Instance, delay);
        Become(Reconnecting);
    }

    private void BeginStop(TaskCompletionSource done)
    {
        Timers.Cancel(RegisterTimer);
        _stopDone = done;
        _socket?.Close();
        Timers.StartSingleTimer(StopTimer, StopTimeoutTick.Instance, StopTimeout);
        Become(Stopping);
    }

    private void OnStreamStopped()
    {
        Timers.Cancel(StopTimer);
        _handle = null;
        _socket = null;
        _stopDone?.TrySetResult();
        _stopDone = null;
        Become(Stopped);
    }

    private void ShutdownStream()
    {
        _socket?.Close();
        _handle = null;
        _socket = null;
    }

    private void Join(TaskCompletionSource done) => Join(done, _connectDone);

    private static void Join(TaskCompletionSource done, TaskCompletionSource? leader)
    {
        if (leader is null)
        {
            done.TrySetResult();
            return;
        }

        leader.Task.ContinueWith(
            t =>
            {
                if (t.IsCompletedSuccessfully)
                    done.TrySetResult();
                else
                    done.TrySetException(t.Exception!.InnerExceptions);
            },
            TaskScheduler.Default);
    }

    private static BroException NotConnected(string message) => new(ErrorCodes.NotConnected, message);
}
