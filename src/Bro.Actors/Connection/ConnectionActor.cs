using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Bro.Codecs;
using Bro.Configuration;
using Bro.Protocol;
using Bro.Registry;
using Bro.Routing;
using Bro.Transport;

namespace Bro.Connection;

/// <summary>
/// One per socket: owns the connection's byte stream, its encoding (detected from the first
/// frame), and its bounded outbound queue. Reads only each frame's routing header and hands
/// the frame to the registry or the router; writes what they send back.
/// </summary>
/// <remarks>
/// <code>
///   Open ──Close / frame too large / no REGISTER in time──> Closing ──peer closed or grace──> (stopped)
///     │                                                              ^
///     └──peer closed, stream failed, queue full──────────────────────┘ (stops at once)
/// </code>
/// Inbound frames come through <c>Sink.ActorRefWithAck</c> in batches: frames that arrive while
/// this actor handles a batch are gathered (up to 64 KiB, or one larger frame) into the next
/// one, and the socket is read further only after this actor acknowledged it, so a peer that
/// floods the gateway is slowed down by the socket, never buffered. Under load one
/// acknowledgement covers many frames instead of one each. Outbound frames go into a channel
/// read by the socket's write side, bounded in bytes (outbound-queue-limit); when a peer stops
/// reading and the queue passes the limit, the connection is dropped rather than buffered
/// without limit. Stopping this actor stops its
/// stream (the materializer is the actor's own), which closes the socket; the registry and the
/// router death-watch this actor to clean up after it.
/// </remarks>
public sealed class ConnectionActor : ReceiveActor, IWithTimers
{
    // Batches of frames from a peer are acknowledged one by one; these are the sink's protocol messages.
    private sealed record StreamInit
    {
        public static StreamInit Instance { get; } = new();
    }

    private sealed record StreamAck
    {
        public static StreamAck Instance { get; } = new();
    }

    private sealed record StreamCompleted
    {
        public static StreamCompleted Instance { get; } = new();
    }

    private sealed record StreamFailed(Exception Cause);

    // Frames read while the previous batch was being handled, in arrival order. The list is
    // created by the stream for each batch and never touched by it again once sent.
    private sealed record InboundFrames(List<ByteString> Frames);

    private sealed record RegisterDeadlineTick : IDeadLetterSuppression
    {
        public static RegisterDeadlineTick Instance { get; } = new();
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

    // Registry liveness needs seconds, not frames: one Touch a second keeps its cost flat. A
    // heartbeat timeout under three seconds (tests, aggressive settings) touches more often, so a
    // live service is never evicted for a Touch held back.
    private readonly TimeSpan _touchInterval;

    private readonly GatewaySettings _settings;
    private readonly IActorRef _registry;
    private readonly IActorRef _router;
    private readonly Flow<ByteString, ByteString, NotUsed> _socket;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private readonly StrongBox<long> _queuedBytes = new();
    private ChannelWriter<ByteString> _outbound = null!;
    private IKillSwitch _killSwitch = null!;
    private BroEncoding? _encoding;
    private IMessageCodec _codec = MessageCodecs.Json;
    private string? _serviceName;
    private DateTimeOffset _lastTouch = DateTimeOffset.MinValue;

    /// <summary>The actor's timers; set by Akka before the actor starts.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Creates the actor; use <see cref="Props"/>.</summary>
    public ConnectionActor(GatewaySettings settings, IActorRef registry, IActorRef router, Flow<ByteString, ByteString, NotUsed> socket)
    {
        _settings = settings;
        _registry = registry;
        _router = router;
        _socket = socket;
        _touchInterval = TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerSecond, settings.HeartbeatTimeout.Ticks / 3));
        Open();
    }

    /// <summary>Props for one accepted connection.</summary>
    /// <param name="settings">Gateway settings: max frame size, outbound queue limit, debug.</param>
    /// <param name="registry">The registry actor (REGISTER, liveness).</param>
    /// <param name="router">The router actor (CALL, RESPONSE).</param>
    /// <param name="socket">The connection's byte flow; materialized once, by this actor.</param>
    public static Props Props(GatewaySettings settings, IActorRef registry, IActorRef router, Flow<ByteString, ByteString, NotUsed> socket) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(settings, registry, router, socket));

    /// <inheritdoc />
    protected override void PreStart()
    {
        // Heartbeat eviction covers registered services only; a socket that never registers is
        // given the same time to do so, then closed, so idle strangers cannot pile up.
        Timers.StartSingleTimer(nameof(RegisterDeadlineTick), RegisterDeadlineTick.Instance, _settings.HeartbeatTimeout);

        // Unbounded as a channel, bounded in bytes: this actor adds what it queues, the stream
        // subtracts what it takes, and Enqueue drops the peer past the limit.
        var channel = Channel.CreateUnbounded<ByteString>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        _outbound = channel.Writer;
        var queued = _queuedBytes;

        // Outbound: queued payloads get their length prefix, then small frames are gathered into
        // one socket write (Concat does not copy; the socket stage copies the batch once into its
        // send buffer).
        // Inbound: the socket's bytes are cut into payloads, at most max-frame-size each.
        _killSwitch = ChannelSource.FromReader(channel.Reader)
            .Select(frame =>
            {
                Interlocked.Add(ref queued.Value, -frame.Count);
                return frame;
            })
            .Via(BroFraming.Encoder(BroFraming.MaxSupportedFrameSize))
            .BatchWeighted(WriteBatchBytes, frame => frame.Count, frame => frame, (batch, frame) => batch.Concat(frame))
            .ViaMaterialized(KillSwitches.Single<ByteString>(), Keep.Right)
            .Via(_socket)
            .Via(BroFraming.Decoder(_settings.MaxFrameSize))
            .BatchWeighted(ReadBatchBytes, frame => frame.Count, frame => new InboundFrames([frame]), (batch, frame) =>
            {
                batch.Frames.Add(frame);
                return batch;
            })
            .To(Sink.ActorRefWithAck<InboundFrames>(Self, StreamInit.Instance, StreamAck.Instance, StreamCompleted.Instance, ex => new StreamFailed(ex)))
            .Run(Context.Materializer());
    }

    // Enough to fill a socket write without holding many frames back.
    private const long WriteBatchBytes = 64 * 1024;

    // What a peer may have read ahead of this actor: one socket read's worth.
    private const long ReadBatchBytes = 64 * 1024;

    /// <inheritdoc />
    protected override void PostStop()
    {
        _outbound.TryComplete();
        if (_serviceName is not null && _log.IsDebugEnabled)
            _log.Debug("Connection of {0} closed", _serviceName);
    }

    private void Open()
    {
        Receive<StreamInit>(_ => Sender.Tell(StreamAck.Instance));
        Receive<InboundFrames>(inbound =>
        {
            foreach (var payload in inbound.Frames)
                OnFrame(payload);
            Sender.Tell(StreamAck.Instance);
        });
        Receive<ConnectionCommands.Deliver>(OnDeliver);
        Receive<ConnectionCommands.Send>(send => Enqueue(send.Message));
        Receive<ConnectionCommands.Close>(close => BeginClosing(close.Reason));
        Receive<StreamCompleted>(_ => Context.Stop(Self));
        Receive<StreamFailed>(OnStreamFailed);
        Receive<RegisterDeadlineTick>(_ =>
        {
            if (_serviceName is null)
                BeginClosing(new ErrorInfo(
                    $"No REGISTER within {_settings.HeartbeatTimeout.TotalSeconds:0.###} s of connecting", ErrorCodes.ConnectionFailed));
        });
    }

    private void Closing()
    {
        // Frames still arriving are acknowledged and dropped: the connection is going away.
        Receive<StreamInit>(_ => Sender.Tell(StreamAck.Instance));
        Receive<InboundFrames>(_ => Sender.Tell(StreamAck.Instance));
        Receive<ConnectionCommands.Deliver>(_ => { });
        Receive<ConnectionCommands.Send>(_ => { });
        Receive<ConnectionCommands.Close>(_ => { });
        Receive<StreamCompleted>(_ => Context.Stop(Self));
        Receive<StreamFailed>(_ => Context.Stop(Self));
        Receive<CloseGraceTick>(_ => Context.Stop(Self));
        Receive<RegisterDeadlineTick>(_ => { });
    }

    private void OnFrame(ByteString payload)
    {
        TouchRegistry();
        var bytes = payload.ToReadOnlySpan();
        if (_encoding is null)
        {
            // The first frame fixes the connection's encoding (PROTOCOL.md: no negotiation).
            var detected = EncodingDetector.Detect(bytes);
            if (detected is null)
            {
                SendError(null, ErrorCodes.DeserializationFailed,
                    $"Cannot detect the encoding of a {payload.Count}-byte payload: it is neither a JSON object nor a MessagePack map");
                return;
            }

            _encoding = detected;
            _codec = MessageCodecs.For(detected.Value);
        }

        FrameHeader header;
        try
        {
            header = _codec.ReadHeader(bytes);
        }
        catch (BroException e)
        {
            SendError(null, e.Code, e.Message);
            return;
        }

        switch (header.Type)
        {
            case MessageType.Call or MessageType.Response when _serviceName is null:
                // The router answers callers and watches their connections by service; a
                // connection that never registered has no name to be answered under.
                RefuseUnregistered(header);
                break;
            case MessageType.Call:
                _router.Tell(new RouterActor.RouteCall(header, payload, _encoding.Value));
                break;
            case MessageType.Response:
                _router.Tell(new RouterActor.RouteResponse(header, payload, _encoding.Value));
                break;
            case MessageType.Heartbeat:
                break;
            case MessageType.Register:
                OnRegister(payload, header);
                break;
            case MessageType.Error:
                if (_log.IsDebugEnabled)
                    _log.Debug("ERROR frame from {0} ignored", _serviceName ?? "an unregistered connection");
                break;
            default:
                SendError(header.Id, ErrorCodes.InvalidMessage, $"A service may not send {header.Type} frames to the gateway");
                break;
        }
    }

    private void RefuseUnregistered(FrameHeader header)
    {
        var error = new ErrorInfo($"REGISTER before sending {header.Type} frames", ErrorCodes.NotConnected);
        if (header.Type == MessageType.Call && header.Id is not null && header.From is not null && header.To is not null)
            Enqueue(Messages.BuildErrorResponse(header.Id, header.To, header.From, null, error));
        else
            SendError(header.Id, error.Code!, error.Message);
    }

    private void OnRegister(ByteString payload, FrameHeader header)
    {
        RegisterMessage register;
        try
        {
            register = (RegisterMessage)_codec.Decode(payload.ToArray());
        }
        catch (BroException e)
        {
            SendError(null, e.Code, e.Message);
            return;
        }

        _serviceName = register.ServiceName;
        _registry.Tell(new RegistryActor.RegisterService(register, header.PoolIndex));
    }

    private void TouchRegistry()
    {
        var now = Context.System.Scheduler.Now;
        if (now - _lastTouch < _touchInterval)
            return;
        _lastTouch = now;
        _registry.Tell(RegistryActor.Touch.Instance);
    }

    private void OnDeliver(ConnectionCommands.Deliver deliver)
    {
        if (_encoding is null || deliver.Encoding == _encoding)
        {
            // The fast path: the frame goes out exactly as it came in.
            Enqueue(deliver.Payload);
            return;
        }

        var source = MessageCodecs.For(deliver.Encoding);
        try
        {
            Enqueue(source.Decode(deliver.Payload.ToArray()));
        }
        catch (BroException e)
        {
            // A value this connection's encoding cannot express (a MessagePack extension type
            // for a JSON peer): whoever waits on the frame is told at once, not at its deadline.
            var header = source.ReadHeader(deliver.Payload.ToReadOnlySpan());
            var error = new ErrorInfo($"Cannot pass a {deliver.Encoding} {header.Type} to a {_encoding} peer: {e.Message}",
                ErrorCodes.SerializationFailed);
            if (header is { Type: MessageType.Call, Id: { } callId })
                Sender.Tell(new RouterActor.DeliveryFailed(callId, error));
            else if (header is { Type: MessageType.Response, Id: { } id, From: { } from, To: { } to })
                Enqueue(Messages.BuildErrorResponse(id, from, to, null, error));
            _log.Warning("{0} (to {1})", error.Message, _serviceName);
        }
    }

    private void Enqueue(BroMessage message) => Enqueue(ByteString.FromBytes(_codec.Encode(message)));

    private void Enqueue(ByteString payload)
    {
        var queued = Interlocked.Add(ref _queuedBytes.Value, payload.Count);
        if (queued <= _settings.OutboundQueueLimit && _outbound.TryWrite(payload))
            return;

        // The peer has stopped reading and its queue is full: drop it rather than buffer without
        // limit. Its callers learn of it through the router's death-watch (CONNECTION_LOST).
        _log.Warning("{0} stopped reading: {1} bytes queued, over the limit of {2}; disconnecting",
            _serviceName ?? "A connection", queued, _settings.OutboundQueueLimit);
        _killSwitch.Abort(new IOException("Outbound queue overflow"));
        Context.Stop(Self);
    }

    private void SendError(string? id, string code, string message) =>
        Enqueue(new ErrorMessage(id, new ErrorInfo(message, code), Context.System.Scheduler.Now.ToUnixTimeMilliseconds()));

    private void OnStreamFailed(StreamFailed failed)
    {
        if (failed.Cause is FrameTooLargeException tooLarge)
        {
            // The rest of the stream cannot be framed any more: answer, then close.
            BeginClosing(new ErrorInfo(tooLarge.Message, ErrorCodes.InvalidMessage));
            return;
        }

        if (_log.IsDebugEnabled)
            _log.Debug("Connection of {0} failed: {1}", _serviceName ?? "an unregistered peer", failed.Cause.Message);
        Context.Stop(Self);
    }

    private void BeginClosing(ErrorInfo? reason)
    {
        if (reason is not null)
            Enqueue(new ErrorMessage(null, reason, Context.System.Scheduler.Now.ToUnixTimeMilliseconds()));

        // Completing the queue lets the socket write what is queued, then half-close; the
        // grace period bounds how long a peer that never hangs up can hold the socket.
        _outbound.TryComplete();
        Become(Closing);
        Timers.StartSingleTimer(nameof(CloseGraceTick), CloseGraceTick.Instance, CloseGracePeriod);
    }
}
