using System.Buffers.Binary;
using Akka.Event;
using Bro.Configuration;
using Bro.Connection;
using Bro.Protocol;
using Bro.Routing;
using Bro.Transport;

namespace Bro.Federation;

/// <summary>
/// The read loop of a data link's incoming connection: cuts what another gateway sends into
/// frames and routes each on the spot, with the gateway's <see cref="PeerEndpoint"/> as the
/// caller or responder, exactly as a service connection's read loop routes its frames.
/// </summary>
/// <remarks>
/// Flow control holds across hosts: when the local targets of a read's frames are full, the
/// next read waits for them (see <see cref="FlushList"/>), the other gateway's writes to this
/// link then back up, and its own readers slow down in turn. One slow service therefore slows
/// every call on the link behind it, as one slow target slows the caller that fills it.
/// </remarks>
internal sealed class PeerLinkReader
{
    private const int ReadBufferSize = 64 * 1024;

    private readonly LinkTransport _transport;
    private readonly PeerEndpoint _link;
    private readonly int _maxFrameSize;
    private readonly CallRouter _router;
    private readonly ILoggingAdapter _log;
    private readonly FlushList _flushes;
    private long _bytesReceived;

    /// <param name="transport">The incoming connection, past its hello.</param>
    /// <param name="link">The endpoint the frames come from.</param>
    /// <param name="maxFrameSize">The largest frame taken: this gateway's max-frame-size or the
    /// other's, whichever is larger. A frame the other gateway accepted from its services is
    /// passed on, whatever this one would accept from its own; one larger than that is a broken peer.</param>
    /// <param name="settings">The congestion timeout.</param>
    /// <param name="router">Routes the frames.</param>
    /// <param name="log">Where frames that cannot be routed are logged.</param>
    public PeerLinkReader(LinkTransport transport, PeerEndpoint link, int maxFrameSize, GatewaySettings settings, CallRouter router, ILoggingAdapter log)
    {
        _transport = transport;
        _link = link;
        _maxFrameSize = maxFrameSize;
        _router = router;
        _log = log;
        _flushes = new FlushList(settings.CongestionTimeout);
    }

    /// <summary>Bytes read so far; read by the metrics (a torn read is impossible on 64 bits).</summary>
    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    /// <summary>Reads and routes until the connection ends; returns why it ended.</summary>
    public async Task<string> RunAsync()
    {
        var buffer = FrameBuffers.Rent(ReadBufferSize);
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                if (start == end)
                {
                    start = end = 0;
                    // A buffer grown for one large frame goes back once that frame is routed.
                    if (buffer.Length > ReadBufferSize)
                    {
                        FrameBuffers.Return(buffer);
                        buffer = FrameBuffers.Rent(ReadBufferSize);
                    }
                }
                else
                    buffer = FrameBuffers.MakeRoom(buffer, ref start, ref end, ReadBufferSize);

                var read = await _transport.ReceiveAsync(buffer.AsMemory(end)).ConfigureAwait(false);
                if (read == 0)
                    return "the other gateway closed the link";
                end += read;
                Volatile.Write(ref _bytesReceived, _bytesReceived + read);
                if (RouteFrames(buffer, ref start, end) is { } broken)
                    return broken;
                if (_flushes.FlushAll() is { } targetsFull)
                    await targetsFull.ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            return $"the incoming connection failed: {e.Message}";
        }
        catch (Exception e)
        {
            // A broken invariant: this link goes, the gateway stays.
            _log.Error(e, "The data link from {0} failed while routing", _link.Gateway);
            return $"routing failed: {e.Message}";
        }
        finally
        {
            FrameBuffers.Return(buffer);
        }
    }

    /// <summary>Routes the complete frames in [start, end); what is wrong with the stream, if it cannot be framed any more.</summary>
    private string? RouteFrames(byte[] buffer, ref int start, int end)
    {
        while (end - start >= BroFraming.HeaderSize)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(start));
            // Only a gateway's own writes come here, and it took no frame over the size its hello
            // announced: a larger one is a broken gateway, and the stream cannot be framed past it.
            if (length > (uint)_maxFrameSize)
                return $"a frame of {length} bytes, over the {_maxFrameSize} the link allows";
            var size = BroFraming.HeaderSize + (int)length;
            if (end - start < size)
                return null;
            var frame = buffer.AsSpan(start, size);
            start += size;
            Route(frame);
        }

        return null;
    }

    private void Route(ReadOnlySpan<byte> frame)
    {
        FrameHeader header;
        try
        {
            header = _link.Codec.ReadHeader(frame[BroFraming.HeaderSize..]);
        }
        catch (BroException e)
        {
            // The other gateway read this frame's header before it sent it: not expected.
            _log.Warning("Dropped a frame from {0} whose header cannot be read: {1}", _link.Gateway, e.Message);
            return;
        }

        switch (header.Type)
        {
            case MessageType.Call:
                _router.RouteCall(_link, header, frame, _flushes);
                break;
            case MessageType.Response:
                _router.RouteResponse(_link, header, frame, _flushes);
                break;
            case MessageType.Cancel:
                _router.RouteCancel(_link, header, _flushes);
                break;
            default:
                _log.Warning("Dropped a {0} frame from {1}: gateways send each other CALL, RESPONSE and CANCEL only", header.Type, _link.Gateway);
                break;
        }
    }
}
