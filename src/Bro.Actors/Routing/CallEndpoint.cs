using System.Buffers.Binary;
using Bro.Codecs;
using Bro.Protocol;
using Bro.Security;
using Bro.Security.Internal;

namespace Bro.Routing;

/// <summary>
/// One connection as the data plane sees it: its encoding and service name, the calls in flight
/// it made and the calls in flight delivered to it, and a way to write frames to it. The
/// gateway's socket connection is one; tests use an in-memory one.
/// </summary>
/// <remarks>
/// <para>Thread-safety: any thread may write to an endpoint and touch its tables (a caller's
/// read loop delivers a CALL into its target's table, the target's read loop takes it out
/// again, the sweep and a disconnection race both). Each endpoint guards its two tables with
/// its own lock, held only for a dictionary operation; no code ever holds two endpoints' locks
/// at once, so there is no lock order to get wrong.</para>
/// <para>Calls are owned per connection: a caller's table is keyed by the ids it chose (two
/// callers may pick the same id), a target's by the ids it was given, which the router makes
/// unique per target.</para>
/// </remarks>
internal abstract class CallEndpoint
{
    private static long _lastId;

    private readonly object _gate = new();
    // Allocated on the first call: an idle service pays nothing for them.
    private Dictionary<string, InFlightCall>? _outgoing;
    private Dictionary<string, InFlightCall>? _incoming;
    private bool _closed;
    private bool _servesNoMore;
    // Allocated on the first abandoned call: most connections answer every call in time.
    private AbandonedIds? _abandoned;
    private long _earliestDeadline = long.MaxValue;
    // The incoming table's size, written under the lock, read without it by least-in-flight picks.
    private int _incomingLoad;
    private volatile string? _serviceName;
    private volatile bool _understandsCancel;
    private BroEncoding _encoding = BroEncoding.Json;
    private IMessageCodec _codec = MessageCodecs.Json;

    /// <summary>Creates an endpoint with a process-unique <see cref="Id"/>.</summary>
    protected CallEndpoint() => Id = Interlocked.Increment(ref _lastId);

    /// <summary>Creates an endpoint that is a service from the start: one the gateway serves itself.</summary>
    protected CallEndpoint(string serviceName)
        : this() => _serviceName = serviceName;

    /// <summary>Whether this endpoint is answered inside the gateway (the built-in service), not a peer's connection.</summary>
    public virtual bool IsBuiltIn => false;

    /// <summary>A number naming this connection in logs and rewritten ids; unique in the process.</summary>
    public long Id { get; }

    /// <summary>
    /// Who is at the other end, read from the socket when it connected; <c>null</c> where the
    /// platform cannot tell (off Linux) and for in-memory endpoints.
    /// </summary>
    public PeerCredentials? Credentials { get; init; }

    /// <summary>
    /// What the gateway's policy lets this connection do, resolved when it connected;
    /// <c>null</c> when the gateway has no policy (everything is allowed).
    /// </summary>
    public PeerPermissions? Permissions { get; init; }

    /// <summary>Abandoned wire ids this connection remembers (see <see cref="AbandonedIds"/>); the gateway's <c>abandoned-ids-kept</c>.</summary>
    public int AbandonedIdsKept { get; init; } = 1_024;

    /// <summary>The registered service name; <c>null</c> until the registry accepted a REGISTER.</summary>
    public string? ServiceName => _serviceName;

    /// <summary>
    /// Whether this connection's REGISTER announced <see cref="BroFeatures.Cancel"/>: only then
    /// does the gateway send it CANCEL for the calls it abandons. Set when its REGISTER is read,
    /// before anything can be routed to it.
    /// </summary>
    public bool UnderstandsCancel
    {
        get => _understandsCancel;
        set => _understandsCancel = value;
    }

    /// <summary>The connection's encoding, fixed by its first frame (JSON until then).</summary>
    public BroEncoding Encoding => _encoding;

    /// <summary>The codec of <see cref="Encoding"/>.</summary>
    public IMessageCodec Codec => _codec;

    /// <summary>Calls this connection made that are still in flight.</summary>
    public int OutgoingCount
    {
        get
        {
            lock (_gate) return _outgoing?.Count ?? 0;
        }
    }

    /// <summary>Calls delivered to this connection that it has not answered yet.</summary>
    public int IncomingCount
    {
        get
        {
            lock (_gate) return _incoming?.Count ?? 0;
        }
    }

    /// <summary>
    /// A lower bound of the deadlines in the outgoing table; the sweep skips this endpoint while
    /// the clock is before it. Read without the lock: a stale value delays one sweep at most.
    /// </summary>
    public long EarliestDeadline => Volatile.Read(ref _earliestDeadline);

    /// <summary>
    /// Calls delivered to this connection and not yet answered; <see cref="int.MaxValue"/> once
    /// it takes no more calls (closed, or its peer stopped sending), so that balancing by load
    /// never picks it while another connection can take the call. Read without the lock: it may
    /// lag a delivery or an answer racing with the read.
    /// </summary>
    public int IncomingLoad => Volatile.Read(ref _incomingLoad);

    /// <summary>CALLs from this connection delivered to a target. Written by this connection's reader only.</summary>
    public long CallsRouted;

    /// <summary>RESPONSEs from this connection delivered to a caller. Written by this connection's reader only.</summary>
    public long ResponsesRouted;

    /// <summary>RESPONSEs from this connection that answered no call delivered to it. Written by its reader only.</summary>
    public long ResponsesDropped;

    /// <summary>Bytes read from this connection's socket; 0 for an in-memory endpoint.</summary>
    public virtual long BytesReceived => 0;

    /// <summary>Bytes written to this connection's socket; 0 for an in-memory endpoint.</summary>
    public virtual long BytesSent => 0;

    /// <summary>Calls from this connection waiting for their target to register, and their
    /// bytes; kept by <see cref="ParkedCalls"/> under its lock.</summary>
    internal int ParkedCount;

    /// <inheritdoc cref="ParkedCount"/>
    internal long ParkedBytes;

    /// <summary>
    /// Marks the read batch that last queued a flush of this endpoint, so a batch flushes each
    /// target once (see <see cref="FlushList"/>). Racing batches may both flush: harmless.
    /// </summary>
    internal long FlushStamp;

    /// <summary>Marks the read batch that wrote a RESPONSE here (its writer waits patiently).</summary>
    internal long PatientStamp;

    /// <summary>Fixes the encoding (the connection's first frame decides it).</summary>
    protected void SetEncoding(BroEncoding encoding)
    {
        _encoding = encoding;
        _codec = MessageCodecs.For(encoding);
    }

    // ---- registration (the registry decides, the endpoint carries it out) ----

    /// <summary>
    /// Called by the registry when it accepts this connection's REGISTER, before it publishes
    /// the route: the name is set and the ack queued first, so no frame routed to the new
    /// service can overtake its REGISTER_ACK. <see cref="ResumeReading"/> follows the route.
    /// </summary>
    public void AcceptRegistration(string serviceName, RegisterAckMessage ack)
    {
        _serviceName = serviceName;
        WriteMessage(ack);
    }

    /// <summary>
    /// After a REGISTER the connection reads nothing more until the registry has answered it,
    /// so frames sent right behind a REGISTER are handled as a registered (or refused) service.
    /// The registry calls this once it answered; it also flushes what was queued.
    /// </summary>
    public abstract void ResumeReading();

    // ---- output ----

    /// <summary>
    /// Queues one whole frame (length prefix included) for writing. Returns false when it was
    /// not queued: the connection is closing, or its queue is over the limit, in which case the
    /// endpoint drops the connection itself. Nothing is written before <see cref="Flush"/>.
    /// </summary>
    public abstract bool Write(ReadOnlySpan<byte> frame);

    /// <summary>Queues a payload with its length prefix; see <see cref="Write"/>.</summary>
    public abstract bool WritePayload(ReadOnlySpan<byte> payload);

    /// <summary>Encodes a frame the gateway itself originates in this connection's encoding and queues it.</summary>
    public bool WriteMessage(BroMessage message) => WritePayload(_codec.Encode(message));

    /// <summary>Starts writing what is queued, if nothing is being written already. Never blocks.</summary>
    public abstract void Flush();

    /// <summary>
    /// Flow control: <c>null</c> while frames may be written here; else a task that completes once
    /// enough has drained. A reader that wrote here waits on it before it reads its own socket
    /// again, so a sender is slowed by its target instead of the target being dropped.
    /// </summary>
    /// <param name="patient">See <see cref="Connection.OutboundBuffer.WhenWritable"/>.</param>
    public virtual Task? WhenWritable(bool patient) => null;

    /// <summary>
    /// Whether this connection's queue has been full for longer than senders are held back for
    /// it (congestion-timeout): the router then refuses CALLs to it (SERVICE_BUSY) rather than
    /// holding their senders' other traffic.
    /// </summary>
    public virtual bool IsCongested => false;

    /// <summary>
    /// Drops the connection if its peer has stopped reading: its queue is full and no write has
    /// made progress for <paramref name="timeoutMs"/>. Called on the router's sweep.
    /// </summary>
    public virtual void CheckWriteProgress(long timeoutMs)
    {
    }

    /// <summary>Writes a 4-byte big-endian length prefix.</summary>
    protected static void WritePrefix(Span<byte> into, int length) => BinaryPrimitives.WriteInt32BigEndian(into, length);

    // ---- calls in flight ----

    /// <summary>
    /// Records a call this connection makes, unless it may not make it: returns why not
    /// (CONNECTION_LOST when the connection is closing, MAX_IN_FLIGHT_EXCEEDED at the cap,
    /// INVALID_MESSAGE when the id is already in flight from here), or <c>null</c> once recorded.
    /// </summary>
    public string? TryAddOutgoing(InFlightCall call, int limit)
    {
        lock (_gate)
        {
            if (_closed)
                return ErrorCodes.ConnectionLost;
            var outgoing = _outgoing ??= new Dictionary<string, InFlightCall>(StringComparer.Ordinal);
            if (outgoing.Count >= limit)
                return ErrorCodes.MaxInFlightExceeded;
            if (!outgoing.TryAdd(call.CallerId, call))
                return ErrorCodes.InvalidMessage;
            if (call.Deadline < _earliestDeadline)
                Volatile.Write(ref _earliestDeadline, call.Deadline);
            return null;
        }
    }

    /// <summary>Takes the call this connection made under <paramref name="callerId"/>, or <c>null</c> when none is in flight.</summary>
    public InFlightCall? TakeOutgoing(string callerId)
    {
        lock (_gate)
            return _outgoing is not null && _outgoing.Remove(callerId, out var call) ? call : null;
    }

    /// <summary>Removes a call from the outgoing table if it is still this very call.</summary>
    public void RemoveOutgoing(InFlightCall call)
    {
        lock (_gate)
        {
            // The usual case in one lookup: the entry is this call. Else a newer call reuses the id.
            if (_outgoing is not null && _outgoing.Remove(call.CallerId, out var removed) && !ReferenceEquals(removed, call))
                _outgoing[call.CallerId] = removed;
        }
    }

    /// <summary>
    /// Records a call delivered to this connection, giving it an id no other call in flight to
    /// this connection has (<see cref="InFlightCall.WireId"/>). False when the connection closed.
    /// </summary>
    public bool AddIncoming(InFlightCall call)
    {
        lock (_gate)
        {
            if (_closed || _servesNoMore)
                return false;
            var incoming = _incoming ??= new Dictionary<string, InFlightCall>(StringComparer.Ordinal);
            if (IsUnclaimed(call.CallerId) && incoming.TryAdd(call.CallerId, call))
            {
                CountIncoming();
                return true;
            }

            // Another call with the same id is in flight here, or was and may still be answered
            // late: this one gets an id of its own, made of the caller's id, the caller's
            // connection and a counter.
            for (var n = 1; ; n++)
            {
                var wireId = $"{call.CallerId}~{call.Caller.Id}.{n}";
                if (IsUnclaimed(wireId) && incoming.TryAdd(wireId, call))
                {
                    call.WireId = wireId;
                    CountIncoming();
                    return true;
                }
            }
        }
    }

    private bool IsUnclaimed(string wireId) => _abandoned is null || !_abandoned.Contains(wireId);

    /// <summary>Takes the call delivered here under <paramref name="wireId"/>, or <c>null</c> when none is.</summary>
    public InFlightCall? TakeIncoming(string wireId)
    {
        lock (_gate)
        {
            if (_incoming is not null && _incoming.Remove(wireId, out var call))
            {
                CountIncoming();
                return call;
            }
            _abandoned?.Forget(wireId); // a late answer: its id may be given again
            return null;
        }
    }

    /// <summary>
    /// Removes a call the gateway finished without this connection's answer (its deadline passed,
    /// its caller left), remembering its id so that a late answer cannot answer a newer call.
    /// </summary>
    public void AbandonIncoming(InFlightCall call)
    {
        lock (_gate)
        {
            if (_incoming is null || !_incoming.TryGetValue(call.WireId, out var current) || !ReferenceEquals(current, call))
                return;
            _incoming.Remove(call.WireId);
            CountIncoming();
            (_abandoned ??= new AbandonedIds(AbandonedIdsKept)).Add(call.WireId);
        }
    }

    /// <summary>Removes a call from the incoming table if it is still this very call.</summary>
    public void RemoveIncoming(InFlightCall call)
    {
        lock (_gate)
        {
            RemoveIfSame(_incoming, call.WireId, call);
            CountIncoming();
        }
    }

    /// <summary>
    /// Moves every outgoing call whose deadline is at or before <paramref name="now"/> into
    /// <paramref name="expired"/>, and recomputes <see cref="EarliestDeadline"/>.
    /// </summary>
    public void TakeExpired(long now, List<InFlightCall> expired)
    {
        lock (_gate)
        {
            var earliest = long.MaxValue;
            if (_outgoing is not null)
            {
                var first = expired.Count;
                foreach (var call in _outgoing.Values)
                {
                    if (call.Deadline <= now) expired.Add(call);
                    else if (call.Deadline < earliest) earliest = call.Deadline;
                }

                for (var i = first; i < expired.Count; i++)
                    _outgoing.Remove(expired[i].CallerId);
            }

            Volatile.Write(ref _earliestDeadline, earliest);
        }
    }

    /// <summary>
    /// The peer stopped sending: no call is delivered here any more, and the calls delivered
    /// here, which it can never answer now, are handed back. Its own calls stay in flight.
    /// </summary>
    public List<InFlightCall> StopServing()
    {
        lock (_gate)
        {
            _servesNoMore = true;
            List<InFlightCall> incoming = _incoming is null ? [] : [.. _incoming.Values];
            _incoming = null;
            CountIncoming();
            return incoming;
        }
    }

    /// <summary>
    /// Marks the endpoint closed (nothing can be added any more) and hands back every call in
    /// flight it made and every call in flight delivered to it. The second call returns nothing.
    /// </summary>
    public (List<InFlightCall> Outgoing, List<InFlightCall> Incoming) CloseCalls()
    {
        lock (_gate)
        {
            _closed = true;
            List<InFlightCall> outgoing = _outgoing is null ? [] : [.. _outgoing.Values];
            List<InFlightCall> incoming = _incoming is null ? [] : [.. _incoming.Values];
            _outgoing = _incoming = null;
            CountIncoming();
            return (outgoing, incoming);
        }
    }

    /// <summary>Publishes <see cref="IncomingLoad"/>; called under the lock after the incoming table changed.</summary>
    private void CountIncoming() =>
        Volatile.Write(ref _incomingLoad, _closed || _servesNoMore ? int.MaxValue : _incoming?.Count ?? 0);

    private static void RemoveIfSame(Dictionary<string, InFlightCall>? table, string key, InFlightCall call)
    {
        // The key may already name a newer call (the same id reused after this one finished).
        if (table is not null && table.TryGetValue(key, out var current) && ReferenceEquals(current, call))
            table.Remove(key);
    }
}
