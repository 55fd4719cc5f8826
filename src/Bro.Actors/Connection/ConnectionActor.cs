using Akka.Actor;
using Akka.Event;
using Bro.Configuration;
using Bro.Protocol;
using Bro.Transport;

namespace Bro.Connection;

/// <summary>
/// The control side of one accepted socket: it starts the connection's read loop
/// (<see cref="SocketConnection"/>, which routes frames itself), closes the connection when
/// told to or when it must, and stops when the socket is done. The registry and the listener
/// watch it: its life is the connection's life.
/// </summary>
/// <remarks>
/// <code>
///   Open ──Close / frame too large / no REGISTER in time──> Closing ──written and peer gone, or grace──> (stopped)
///     │                                                                                        ^
///     └──peer closed, socket failed, outbound queue overflow──────────────────────────────────┘ (at once)
/// </code>
/// Stopping closes the socket and answers every call in flight to this connection with
/// CONNECTION_LOST (<see cref="SocketConnection.Dispose"/>), whichever way it stops: the
/// peer hung up, the registry evicted it, the listener or the whole gateway stopped.
/// </remarks>
internal sealed class ConnectionActor : ReceiveActor, IWithTimers
{
    /// <summary>
    /// The read loop ended: the peer closed (<paramref name="Cause"/> null) or the socket failed.
    /// Also sent after the actor stopped (its socket closed under the loop): no dead letter then.
    /// </summary>
    internal sealed record ReadEnded(Exception? Cause) : IDeadLetterSuppression;

    /// <summary>A write failed or the outbound queue overflowed: the connection cannot go on.</summary>
    internal sealed record SocketFailed(Exception Cause) : IDeadLetterSuppression;

    /// <summary>A length prefix announced a frame over max-frame-size: the stream cannot be framed any more.</summary>
    internal sealed record FrameRejected(FrameTooLargeException Cause);

    private sealed record Drained
    {
        public static Drained Instance { get; } = new();
    }

    private sealed record RegisterDeadlineTick : IDeadLetterSuppression
    {
        public static RegisterDeadlineTick Instance { get; } = new();
    }

    private sealed record AnswersCheckTick : IDeadLetterSuppression
    {
        public static AnswersCheckTick Instance { get; } = new();
    }

    private sealed record CloseGraceTick : IDeadLetterSuppression
    {
        public static CloseGraceTick Instance { get; } = new();
    }

    /// <summary>
    /// How long a closing connection waits for its last frames to be written and for the peer to
    /// hang up before the socket is closed regardless.
    /// </summary>
    internal static readonly TimeSpan CloseGracePeriod = TimeSpan.FromSeconds(2);

    // How often a half-closed connection looks whether its last call was answered, or its peer
    // hung up since; the answer itself is forwarded at once, this only decides when the socket
    // closes (and, for a peer that hung up, when its calls are abandoned).
    private static readonly TimeSpan AnswersCheckInterval = TimeSpan.FromMilliseconds(100);

    private readonly GatewaySettings _settings;
    private readonly SocketConnection _connection;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private bool _readEnded;
    private bool _drained;

    /// <summary>The actor's timers; set by Akka before the actor starts.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    public ConnectionActor(GatewaySettings settings, SocketConnection connection)
    {
        _settings = settings;
        _connection = connection;
        Open();
    }

    /// <summary>Props for one accepted connection.</summary>
    /// <param name="settings">Gateway settings: register-timeout (the time to REGISTER).</param>
    /// <param name="connection">The connection's socket side; started, and finally disposed, by this actor.</param>
    internal static Props Props(GatewaySettings settings, SocketConnection connection) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(settings, connection));

    /// <inheritdoc />
    protected override void PreStart()
    {
        // Heartbeat eviction covers registered services only; a socket that never registers is
        // closed after register-timeout, so idle strangers cannot pile up.
        Timers.StartSingleTimer(nameof(RegisterDeadlineTick), RegisterDeadlineTick.Instance, _settings.RegisterTimeout);
        try
        {
            _connection.Start(Self);
        }
        catch
        {
            // An actor that fails to start is stopped without PostStop: the socket would leak.
            _connection.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _connection.Dispose();
        if (_connection.ServiceName is { } name && _log.IsDebugEnabled)
            _log.Debug("Connection {0} of {1} closed", _connection.Id, name);
    }

    private void Open()
    {
        Receive<ConnectionCommands.Close>(close => BeginClosing(close.Reason));
        Receive<FrameRejected>(rejected => BeginClosing(new ErrorInfo(rejected.Cause.Message, ErrorCodes.InvalidMessage)));
        Receive<ReadEnded>(ended =>
        {
            if (ended.Cause is not null)
            {
                Stop(ended.Cause);
                return;
            }

            // End of stream: the peer may have shut down only its sending side and still read.
            // It serves nothing more, but gets what is queued for it and the answers to its
            // calls in flight (request-timeout bounds the wait), then the connection closes.
            // A peer that closed the socket reads nothing: its calls are abandoned at once (their
            // targets are told CANCEL), not kept until their deadlines.
            _readEnded = true;
            if (_connection.OutgoingCount > 0 && _connection.PeerHungUp)
            {
                Stop(null);
                return;
            }

            _connection.PeerStoppedSending();
            if (_connection.OutgoingCount == 0)
            {
                BeginClosing(null);
                return;
            }

            Become(AwaitingAnswers);
            Timers.StartPeriodicTimer(nameof(AnswersCheckTick), AnswersCheckTick.Instance, AnswersCheckInterval);
        });
        Receive<SocketFailed>(failed => Stop(failed.Cause));
        Receive<RegisterDeadlineTick>(_ =>
        {
            if (_connection.ServiceName is null)
                BeginClosing(new ErrorInfo(
                    $"No REGISTER within {_settings.RegisterTimeout.TotalSeconds:0.###} s of connecting", ErrorCodes.ConnectionFailed));
        });
    }

    private void AwaitingAnswers()
    {
        Receive<AnswersCheckTick>(_ =>
        {
            if (_connection.OutgoingCount == 0)
                BeginClosing(null);
            else if (_connection.PeerHungUp)
                Stop(null); // it closed after shutting down its side: nobody waits for the answers
        });
        Receive<ConnectionCommands.Close>(close => BeginClosing(close.Reason));
        Receive<SocketFailed>(failed => Stop(failed.Cause));
        Receive<ReadEnded>(_ => { });
        Receive<RegisterDeadlineTick>(_ => { });
    }

    private void Closing()
    {
        Receive<ReadEnded>(_ =>
        {
            _readEnded = true;
            if (_drained) Context.Stop(Self);
        });
        Receive<Drained>(_ =>
        {
            _drained = true;
            if (_readEnded) Context.Stop(Self);
        });
        Receive<SocketFailed>(_ => Context.Stop(Self));
        Receive<CloseGraceTick>(_ => Context.Stop(Self));
        Receive<AnswersCheckTick>(_ => { });
        Receive<ConnectionCommands.Close>(_ => { });
        Receive<FrameRejected>(_ => { });
        Receive<RegisterDeadlineTick>(_ => { });
    }

    private void Stop(Exception? cause)
    {
        if (cause is not null && _log.IsDebugEnabled)
            _log.Debug("Connection {0} of {1} failed: {2}", _connection.Id, _connection.ServiceName ?? "an unregistered peer", cause.Message);
        Context.Stop(Self);
    }

    private void BeginClosing(ErrorInfo? reason)
    {
        // The queue is written out, then the send direction shut down; the grace period bounds
        // how long a peer that never hangs up can hold the socket.
        _connection.BeginClosing(reason, Context.System.Scheduler.Now.ToUnixTimeMilliseconds());
        _connection.Drained.PipeTo(Self, success: () => Drained.Instance, failure: _ => Drained.Instance);
        Become(Closing);
        Timers.StartSingleTimer(nameof(CloseGraceTick), CloseGraceTick.Instance, CloseGracePeriod);
    }
}
