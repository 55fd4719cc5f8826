using Akka.Actor;
using Bro.Protocol;
using Bro.Routing;
using Bro.Transport;

namespace Bro.Federation;

/// <summary>
/// Another gateway of the cluster, as this gateway's data plane sees it: one endpoint per
/// (gateway, encoding). It is the target of the CALLs this gateway routes to services served
/// there, and the caller of the CALLs that gateway routes to services served here, so the
/// router's rules (in-flight tables, deadlines, id rewriting, transcoding, CONNECTION_LOST)
/// hold across hosts unchanged.
/// </summary>
/// <remarks>
/// <para>The two gateways' endpoints for each other form a pair: A's endpoint for B gives each
/// CALL an id no other call in flight to B has (<see cref="CallEndpoint.AddIncoming"/>), and
/// B's endpoint for A keys its outgoing table by exactly those ids, so ids chosen by callers on
/// different gateways never collide.</para>
/// <para>Writes append to a buffer under a lock (any reader thread may write here);
/// <see cref="Flush"/> sends what is buffered to the other gateway's <see cref="FederationActor"/>
/// as one <see cref="FrameBatch"/>, so a read batch costs one remoting message per gateway it
/// wrote to. The send happens under the same lock, so batches leave in the order their frames
/// were written: a CANCEL never overtakes its CALL.</para>
/// </remarks>
internal sealed class PeerEndpoint : CallEndpoint
{
    /// <summary>A batch is sent once it holds this many bytes, flushed or not, so one remoting message stays small.</summary>
    public const int ChunkSize = 256 * 1024;

    private readonly IActorRef _peer;
    private readonly IActorRef _self;
    private readonly object _gate = new();
    private byte[] _buffer = new byte[512];
    private int _count = 1;
    private bool _closed;

    /// <param name="gateway">The other gateway's address.</param>
    /// <param name="encoding">The encoding of every frame sent and received through this endpoint.</param>
    /// <param name="peer">The other gateway's federation actor.</param>
    /// <param name="self">This gateway's federation actor: the sender the other one sees.</param>
    public PeerEndpoint(Address gateway, BroEncoding encoding, IActorRef peer, IActorRef self)
    {
        Gateway = gateway;
        _peer = peer;
        _self = self;
        SetEncoding(encoding);
        _buffer[0] = (byte)encoding;
        // Another Bro gateway understands CANCEL and passes it on to its service if that one does.
        UnderstandsCancel = true;
    }

    /// <summary>The other gateway's address.</summary>
    public Address Gateway { get; }

    /// <inheritdoc />
    public override bool Write(ReadOnlySpan<byte> frame)
    {
        lock (_gate)
        {
            if (_closed)
                return false;
            if (_count > 1 && _count + frame.Length > ChunkSize)
                SendBuffered();
            frame.CopyTo(Reserve(frame.Length));
            return true;
        }
    }

    /// <inheritdoc />
    public override bool WritePayload(ReadOnlySpan<byte> payload)
    {
        lock (_gate)
        {
            if (_closed)
                return false;
            var length = BroFraming.HeaderSize + payload.Length;
            if (_count > 1 && _count + length > ChunkSize)
                SendBuffered();
            var into = Reserve(length);
            WritePrefix(into, payload.Length);
            payload.CopyTo(into[BroFraming.HeaderSize..]);
            return true;
        }
    }

    /// <inheritdoc />
    public override void Flush()
    {
        lock (_gate)
        {
            if (_count > 1 && !_closed)
                SendBuffered();
        }
    }

    /// <inheritdoc />
    public override void ResumeReading()
    {
    }

    /// <summary>The other gateway is gone: nothing more is sent; what was buffered is dropped.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _buffer = [];
            _count = 0;
        }
    }

    // Under _gate. One copy into an array the batch owns; the buffer shrinks back after a big batch.
    private void SendBuffered()
    {
        var bytes = _buffer.AsSpan(0, _count).ToArray();
        _peer.Tell(new FrameBatch(bytes), _self);
        if (_buffer.Length > ChunkSize)
        {
            _buffer = new byte[512];
            _buffer[0] = (byte)Encoding;
        }

        _count = 1;
    }

    private Span<byte> Reserve(int length)
    {
        if (_count + length > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _count + length));
        var span = _buffer.AsSpan(_count, length);
        _count += length;
        return span;
    }
}
