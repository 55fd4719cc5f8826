using System.Buffers.Binary;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Bro.Codecs;
using Bro.Codecs.Internal;
using Bro.Configuration;
using Bro.Protocol;
using Bro.Registry;
using Bro.Routing;
using Bro.Security;
using Bro.Security.Internal;
using Bro.Transport;
using Bro.Transport.Internal;

namespace Bro.Connection;

/// <summary>
/// The data plane of one accepted socket: a read loop that cuts the bytes into frames, reads
/// each frame's routing header and routes it on the spot, and the connection's
/// <see cref="OutboundBuffer"/>. Its <see cref="ConnectionActor"/> starts it and handles
/// everything that is not a routed frame: registration's outcome, closing, the end.
/// </summary>
/// <remarks>
/// <para>How a routed frame travels (the NATS read loop's shape): one socket read returns any
/// number of frames; each CALL or RESPONSE is copied, prefix and all, straight into its target
/// connection's outbound buffer on this thread, and the targets touched are flushed once when
/// the read's frames are done: one socket write per target per read, on the thread that read.
/// No actor, no queue and no thread hop between two sockets.</para>
/// <para>Backpressure: the socket is read only after the previous read's frames are routed and
/// flushed. After a REGISTER nothing more is read until the registry has answered it, so the
/// frames behind a REGISTER are handled as those of a registered (or refused) service.</para>
/// <para>Memory: an idle connection holds no buffer. The loop waits for bytes with a
/// zero-byte receive and rents a read buffer only when there are bytes to read, giving it back
/// as soon as no partial frame is left in it.</para>
/// </remarks>
internal sealed class SocketConnection : CallEndpoint, IDisposable
{
    // A connection's reads start small (most services send a few small frames at a time, and a
    // storm of connecting services should not rent 64 KiB each) and double, up to
    // MaxReadBufferSize, each time a read fills the buffer. A frame larger than that gets a
    // buffer of its own size, up to max-frame-size.
    private const int MinReadBufferSize = 4 * 1024;
    private const int MaxReadBufferSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly GatewaySettings _settings;
    private readonly CallRouter _router;
    private readonly IActorRef _registry;
    private readonly ILoggingAdapter _log;
    private readonly OutboundBuffer _outbound;
    // Used by the read loop only.
    private readonly FlushList _flushes;
    private readonly long _touchIntervalMs;
    private IActorRef _actor = ActorRefs.Nobody;
    private bool _encodingKnown;
    private int _readBufferSize = MinReadBufferSize;
    private long _lastTouch;
    // Written by the read loop only; read by the metrics (a torn read is impossible on 64 bits).
    private long _bytesReceived;
    private volatile bool _discarding;
    private volatile TaskCompletionSource? _registering;
    private int _disposed;

    /// <param name="socket">The accepted socket; owned from now on.</param>
    /// <param name="settings">Max frame size, outbound limit, heartbeat timeout.</param>
    /// <param name="router">Routes CALL and RESPONSE frames.</param>
    /// <param name="registry">Receives REGISTER and liveness.</param>
    /// <param name="log">Where this connection logs.</param>
    /// <param name="credentials">The peer's credentials, read when it was accepted; <c>null</c> where unavailable.</param>
    /// <param name="permissions">What the policy lets it do; <c>null</c> without a policy.</param>
    public SocketConnection(Socket socket, GatewaySettings settings, CallRouter router, IActorRef registry, ILoggingAdapter log,
        PeerCredentials? credentials = null, PeerPermissions? permissions = null)
    {
        Credentials = credentials;
        Permissions = permissions;
        AbandonedIdsKept = settings.AbandonedIdsKept;
        _socket = socket;
        _settings = settings;
        _router = router;
        _registry = registry;
        _log = log;
        _outbound = new OutboundBuffer(socket, settings.OutboundQueueLimit, OnSendFailed, (long)settings.CongestionTimeout.TotalMilliseconds);
        _flushes = new FlushList(settings.CongestionTimeout);
        // Registry liveness needs seconds, not frames: one Touch a second at most keeps its cost
        // flat. A heartbeat timeout under three seconds touches more often, so a live service is
        // never evicted for a Touch held back.
        _touchIntervalMs = Math.Min(1000, (long)settings.HeartbeatTimeout.TotalMilliseconds / 3);
        _lastTouch = Environment.TickCount64 - _touchIntervalMs;
    }

    /// <summary>Completes once a closing connection has written everything and shut down its send direction.</summary>
    public Task Drained => _outbound.Drained;

    /// <summary>Starts the read loop; what happens to the socket is reported to <paramref name="actor"/>.</summary>
    public void Start(IActorRef actor)
    {
        _actor = actor;
        _router.Attach(this);
        _ = ReadLoopAsync();
    }

    /// <inheritdoc />
    public override bool Write(ReadOnlySpan<byte> frame) => Written(_outbound.Append(frame, default));

    /// <inheritdoc />
    public override bool WritePayload(ReadOnlySpan<byte> payload)
    {
        Span<byte> prefix = stackalloc byte[BroFraming.HeaderSize];
        WritePrefix(prefix, payload.Length);
        return Written(_outbound.Append(prefix, payload));
    }

    /// <inheritdoc />
    public override void Flush() => _outbound.Flush();

    /// <inheritdoc />
    public override long BytesReceived => Volatile.Read(ref _bytesReceived);

    /// <inheritdoc />
    public override long BytesSent => _outbound.BytesSent;

    /// <inheritdoc />
    public override Task? WhenWritable(bool patient) => _outbound.WhenWritable(patient);

    /// <inheritdoc />
    public override bool IsCongested => _outbound.IsCongested;

    /// <inheritdoc />
    public override void CheckWriteProgress(long timeoutMs)
    {
        if (!_outbound.IsStalled(Environment.TickCount64, timeoutMs))
            return;
        _log.Warning("{0} read nothing for {1} ms with {2} bytes queued: dropped as a slow consumer",
            ServiceName ?? $"Connection {Id}", timeoutMs, _outbound.QueuedBytes);
        _outbound.Close();
        _actor.Tell(new ConnectionActor.SocketFailed(new IOException("Slow consumer")));
    }

    /// <inheritdoc />
    public override void ResumeReading()
    {
        Flush();
        _registering?.TrySetResult();
    }

    /// <summary>
    /// Whether the peer closed the socket entirely (it crashed, or hung up), rather than shutting
    /// down only its sending side: nobody is left to answer, so its calls are abandoned at once.
    /// </summary>
    public bool PeerHungUp => SocketHangup.PeerClosed(_socket);

    /// <summary>
    /// The peer sent its last frame (end of stream): its service is withdrawn from the routes
    /// and the calls delivered to it are answered CONNECTION_LOST, while the connection stays
    /// open for the answers to the calls it made (a half-closed peer still gets them).
    /// </summary>
    public void PeerStoppedSending()
    {
        _router.StoppedSending(this);
        if (ServiceName is not null)
            _registry.Tell(RegistryActor.Withdraw.Instance, _actor);
    }

    /// <summary>
    /// Stops handling frames (what still arrives is read and dropped until the peer hangs up),
    /// answers the calls in flight to this connection (CONNECTION_LOST), writes
    /// <paramref name="reason"/> as an ERROR frame when given, then what is queued, and shuts
    /// down the send direction.
    /// </summary>

    public void BeginClosing(ErrorInfo? reason, long nowMs)
    {
        _discarding = true;
        if (reason is not null)
            WriteMessage(new ErrorMessage(null, reason, nowMs));
        _outbound.Complete();
        _registering?.TrySetResult();
        // Callers waiting on this connection are answered now, not once a peer that may never
        // hang up (an evicted, silent one) has let the socket go.
        _router.ConnectionLost(this);
    }

    /// <summary>
    /// Closes the socket and answers for the calls in flight (see <see cref="CallRouter.ConnectionLost"/>). Idempotent.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _discarding = true;
        _outbound.Close();
        _router.ConnectionLost(this);
        _registering?.TrySetResult();
        _socket.Dispose();
    }

    private bool Written(WriteOutcome outcome)
    {
        if (outcome == WriteOutcome.Overflow)
        {
            // The peer has stopped reading and its queue is full: drop it rather than buffer
            // without limit. Its callers are answered CONNECTION_LOST when it stops.
            _log.Warning("{0} stopped reading: over {1} bytes queued; disconnecting",
                ServiceName ?? $"Connection {Id}", _settings.OutboundQueueLimit);
            _outbound.Close();
            _actor.Tell(new ConnectionActor.SocketFailed(new IOException("Outbound queue overflow")));
        }

        return outcome == WriteOutcome.Queued;
    }

    private void OnSendFailed(Exception cause) => _actor.Tell(new ConnectionActor.SocketFailed(cause));

    private async Task ReadLoopAsync()
    {
        byte[]? buffer = null;
        int start = 0, end = 0;
        Exception? failure = null;
        try
        {
            while (true)
            {
                if (start == end)
                {
                    start = end = 0;
                    if (_socket.Available == 0)
                    {
                        // Idle: give the buffer back and wait for bytes without one (a zero-byte
                        // receive completes when data arrives, or at end of stream).
                        if (buffer is not null)
                        {
                            FrameBuffers.Return(buffer);
                            buffer = null;
                        }

                        await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                    }

                    buffer ??= FrameBuffers.Rent(_readBufferSize);
                }
                else
                {
                    buffer = FrameBuffers.MakeRoom(buffer!, ref start, ref end, _readBufferSize);
                }

                var read = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                    break; // the peer shut down its send direction or closed
                _bytesReceived += read;
                if (end + read == buffer.Length && _readBufferSize < MaxReadBufferSize)
                    _readBufferSize *= 2;
                if (_discarding)
                {
                    start = end = 0;
                    continue;
                }

                end += read;
                Touch();
                try
                {
                    while (HandleFrames(buffer, ref start, end))
                    {
                        // A REGISTER went to the registry: wait for its answer before the next frame.
                        if (_flushes.FlushAll() is { } full)
                            await full.ConfigureAwait(false);
                        await _registering!.Task.ConfigureAwait(false);
                        _registering = null;
                        if (_discarding)
                            break;
                    }
                }
                catch (FrameTooLargeException tooLarge)
                {
                    // The rest of the stream cannot be framed any more: the actor answers and
                    // closes; until then, whatever arrives is dropped.
                    _discarding = true;
                    _actor.Tell(new ConnectionActor.FrameRejected(tooLarge));
                }

                // Flow control: a target this read filled is waited for before reading on; one it
                // sent CALLs to for congestion-timeout at most (see FlushList).
                if (_flushes.FlushAll() is { } targetsFull)
                    await targetsFull.ConfigureAwait(false);
                if (_discarding)
                    start = end = 0;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            failure = e;
        }
        catch (Exception e)
        {
            // A broken invariant: this connection goes, the gateway stays.
            _log.Error(e, "Connection {0} ({1}) failed while reading", Id, ServiceName);
            failure = e;
        }
        finally
        {
            if (buffer is not null)
                FrameBuffers.Return(buffer);
        }

        _actor.Tell(new ConnectionActor.ReadEnded(failure));
    }

    /// <summary>
    /// Handles the complete frames in [start, end), advancing <paramref name="start"/>. True when
    /// it stopped behind a REGISTER to wait for the registry.
    /// </summary>
    /// <exception cref="FrameTooLargeException">A length prefix announces more than max-frame-size.</exception>
    private bool HandleFrames(byte[] buffer, ref int start, int end)
    {
        while (end - start >= BroFraming.HeaderSize)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(start));
            if (length > (uint)_settings.MaxFrameSize)
                throw new FrameTooLargeException(length, _settings.MaxFrameSize);
            var size = BroFraming.HeaderSize + (int)length;
            if (end - start < size)
                return false;

            var frame = buffer.AsSpan(start, size);
            start += size;
            if (HandleFrame(frame))
                return true;
        }

        return false;
    }

    private bool HandleFrame(ReadOnlySpan<byte> frame)
    {
        var payload = frame[BroFraming.HeaderSize..];
        if (!_encodingKnown)
        {
            // The first frame fixes the connection's encoding (PROTOCOL.md: no negotiation).
            if (EncodingDetector.Detect(payload) is not { } detected)
            {
                SendError(null, ErrorCodes.DeserializationFailed,
                    $"Cannot detect the encoding of a {payload.Length}-byte payload: it is neither a JSON object nor a MessagePack map");
                return false;
            }

            SetEncoding(detected);
            _encodingKnown = true;
        }

        FrameHeader header;
        try
        {
            header = Codec.ReadHeader(payload);
        }
        catch (BroException e)
        {
            // Exactly one answer: a registered caller's CALL that names its id, caller and target
            // is answered as a call, whatever else is wrong with it (a bad context, say).
            if (ServiceName is not null && CallIdentity.TryRead(Encoding, payload) is var (id, from, to))
                _router.Refuse(this, id, to, from, e.Code, e.Message, _flushes);
            else
                SendError(null, e.Code, e.Message);
            return false;
        }

        switch (header.Type)
        {
            case MessageType.Call or MessageType.Response or MessageType.Cancel when ServiceName is null:
                RefuseUnregistered(header);
                break;
            case MessageType.Call:
                _router.RouteCall(this, header, frame, _flushes);
                break;
            case MessageType.Response:
                _router.RouteResponse(this, header, frame, _flushes);
                break;
            case MessageType.Cancel:
                _router.RouteCancel(this, header, _flushes);
                break;
            case MessageType.Heartbeat:
                break;
            case MessageType.Register:
                return Register(payload, header);
            case MessageType.Error:
                if (_log.IsDebugEnabled)
                    _log.Debug("ERROR frame from {0} ignored", ServiceName ?? $"unregistered connection {Id}");
                break;
            default:
                SendError(header.Id, ErrorCodes.InvalidMessage, $"A service may not send {header.Type} frames to the gateway");
                break;
        }

        return false;
    }

    private bool Register(ReadOnlySpan<byte> payload, in FrameHeader header)
    {
        RegisterMessage register;
        try
        {
            register = (RegisterMessage)Codec.Decode(payload.ToArray());
        }
        catch (BroException e)
        {
            SendError(null, e.Code, e.Message);
            return false;
        }

        // Before the registry publishes the route: no call reaches this connection before the flag is set.
        UnderstandsCancel = BroFeatures.Announces(register.Metadata, BroFeatures.Cancel);
        _registering = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _registry.Tell(new RegistryActor.RegisterService(register, header.PoolIndex, this), _actor);
        return true;
    }

    private void RefuseUnregistered(in FrameHeader header)
    {
        // Callers are answered under their registered name; a connection that never registered has none.
        var error = new ErrorInfo($"REGISTER before sending {header.Type} frames", ErrorCodes.NotConnected);
        if (header is { Type: MessageType.Call, Id: { } id, From: { } from, To: { } to })
        {
            WriteMessage(Messages.BuildErrorResponse(id, to, from, null, error));
            _flushes.Add(this);
        }
        else
        {
            SendError(header.Id, error.Code!, error.Message);
        }
    }

    private void SendError(string? id, string code, string message)
    {
        WriteMessage(new ErrorMessage(id, new ErrorInfo(message, code), _router.NowMs()));
        _flushes.Add(this);
    }

    private void Touch()
    {
        var now = Environment.TickCount64;
        if (now - _lastTouch < _touchIntervalMs)
            return;
        _lastTouch = now;
        _registry.Tell(RegistryActor.Touch.Instance, _actor);
    }
}
