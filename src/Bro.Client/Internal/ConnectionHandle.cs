using System.Threading.Channels;
using Akka.IO;

namespace Bro.Client.Internal;

/// <summary>
/// The write side of one connection's stream, as the callers and handlers see it: a bounded
/// channel read by the stream's <c>ChannelSource</c>, so writers wait (backpressure) when the
/// socket is slower than they are, and fail once the connection is gone (the channel is completed).
/// </summary>
/// <remarks>
/// One handle per stream materialization: a reconnect creates a fresh handle, so a handler
/// answering a CALL from the old connection never writes into the new one.
/// </remarks>
internal sealed class ConnectionHandle
{
    private readonly Channel<ByteString> _outbound;
    private long _callsHandled;

    /// <summary>Creates the handle of pooled connection <paramref name="poolIndex"/>.</summary>
    public ConnectionHandle(int poolIndex, int capacity)
    {
        PoolIndex = poolIndex;
        _outbound = Channel.CreateBounded<ByteString>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>The pooled connection this is (0 for the primary).</summary>
    public int PoolIndex { get; }

    /// <summary>The stream reads payloads to frame and write from here.</summary>
    public ChannelReader<ByteString> Reader => _outbound.Reader;

    /// <summary>Whether the gateway's REGISTER_ACK said it is a Bro gateway (gateway = "bro").</summary>
    public bool IsBroGateway { get; set; }

    /// <summary>CALLs received on this connection (a test and diagnostics counter).</summary>
    public long CallsHandled => Interlocked.Read(ref _callsHandled);

    /// <summary>Counts one CALL received.</summary>
    public void CountCall() => Interlocked.Increment(ref _callsHandled);

    /// <summary>Queues one payload, waiting while the queue is full.</summary>
    /// <returns><c>false</c> when the connection is closed.</returns>
    public async ValueTask<bool> WriteAsync(ByteString payload, CancellationToken cancellationToken = default)
    {
        if (_outbound.Writer.TryWrite(payload))
            return true;
        try
        {
            await _outbound.Writer.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }

    /// <summary>Queues one payload if there is room; for heartbeats, which may be dropped.</summary>
    public bool TryWrite(ByteString payload) => _outbound.Writer.TryWrite(payload);

    /// <summary>Stops accepting writes; what is queued is still written.</summary>
    public void Complete() => _outbound.Writer.TryComplete();
}
