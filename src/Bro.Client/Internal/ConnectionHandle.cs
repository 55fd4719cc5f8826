using System.Net.Sockets;
using Bro.Codecs;
using Bro.Connection;
using Bro.Protocol;

namespace Bro.Client.Internal;

/// <summary>
/// The write side of one connection, as the callers and handlers see it: frames are encoded on
/// the writer's thread into a pooled buffer and queued in the connection's
/// <see cref="OutboundFrames"/>, so writers wait (backpressure) when the socket is slower than
/// they are, and fail once the connection is gone (the queue is completed).
/// </summary>
/// <remarks>
/// One handle per socket: a reconnect creates a fresh handle, so a handler answering a CALL
/// from the old connection never writes into the new one.
/// </remarks>
internal sealed class ConnectionHandle
{
    private readonly OutboundFrames _outbound;
    private readonly IMessageCodec _codec;
    private readonly int _maxFrameSize;
    private long _callsHandled;

    /// <summary>Creates the handle of pooled connection <paramref name="poolIndex"/>.</summary>
    /// <param name="poolIndex">The pooled connection this is.</param>
    /// <param name="capacity">Frames queued before writers wait.</param>
    /// <param name="codec">The client's codec.</param>
    /// <param name="maxFrameSize">The largest payload written.</param>
    public ConnectionHandle(int poolIndex, int capacity, IMessageCodec codec, int maxFrameSize)
    {
        PoolIndex = poolIndex;
        _outbound = new OutboundFrames(capacity);
        _codec = codec;
        _maxFrameSize = maxFrameSize;
    }

    /// <summary>The pooled connection this is (0 for the primary).</summary>
    public int PoolIndex { get; }

    /// <summary>Whether the gateway's REGISTER_ACK said it is a Bro gateway (gateway = "bro").</summary>
    public bool IsBroGateway { get; set; }

    /// <summary>The CALLs received on this connection and not answered yet, for the gateway's CANCEL to find.</summary>
    public HandledCalls Handling { get; } = new();

    /// <summary>CALLs received on this connection (a test and diagnostics counter).</summary>
    public long CallsHandled => Interlocked.Read(ref _callsHandled);

    /// <summary>Completes once the completed queue has been written and the send direction shut down, or the queue was closed.</summary>
    public Task Drained => _outbound.Drained;

    /// <summary>Counts one CALL received.</summary>
    public void CountCall() => Interlocked.Increment(ref _callsHandled);

    /// <summary>
    /// Encodes <paramref name="message"/> as a frame in this thread's pooled buffer; the caller
    /// writes it and then disposes it.
    /// </summary>
    /// <exception cref="BroException">The message cannot be encoded, or is larger than the maximum frame size.</exception>
    public FrameBuffer Encode(BroMessage message) => FrameBuffer.Encode(_codec, message, _maxFrameSize);

    /// <summary>Queues <paramref name="frame"/>, waiting while the queue is full.</summary>
    /// <returns><c>false</c> when the connection is closed.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while waiting.</exception>
    public ValueTask<bool> WriteAsync(FrameBuffer frame, CancellationToken cancellationToken = default) =>
        _outbound.Append(frame) switch
        {
            WriteOutcome.Queued => ValueTask.FromResult(true),
            WriteOutcome.Dropped => ValueTask.FromResult(false),
            _ => WaitAndWriteAsync(frame, cancellationToken),
        };

    /// <summary>Queues <paramref name="message"/> if there is room; for heartbeats, which may be dropped.</summary>
    public bool TryWrite(BroMessage message)
    {
        using var frame = Encode(message);
        return _outbound.Append(frame) == WriteOutcome.Queued;
    }

    /// <summary>Starts writing to the connected <paramref name="socket"/>.</summary>
    public void Attach(Socket socket, Action<Exception> onSendFailed) => _outbound.Attach(socket, onSendFailed);

    /// <summary>Stops accepting writes; what is queued is still written, then the send direction is shut down.</summary>
    public void Complete() => _outbound.Complete();

    private async ValueTask<bool> WaitAndWriteAsync(FrameBuffer frame, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_outbound.WhenRoom() is { } room)
                await room.WaitAsync(cancellationToken).ConfigureAwait(false);
            switch (_outbound.Append(frame))
            {
                case WriteOutcome.Queued:
                    return true;
                case WriteOutcome.Dropped:
                    return false;
            }
        }
    }
}
