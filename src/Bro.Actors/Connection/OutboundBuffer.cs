using System.Net.Sockets;
using System.Security.Authentication;

namespace Bro.Connection;

/// <summary>
/// The bytes waiting to be written to one socket, and the one write in progress. Any thread
/// appends whole frames; <see cref="Flush"/> hands what has gathered to the socket in one send,
/// on the flushing thread when the kernel takes it at once (the usual case), else from the
/// send's completion. Bounded in bytes.
/// </summary>
/// <remarks>
/// <para>Ownership: frames are appended into a buffer rented from the shared array pool; a
/// flush takes that buffer away whole (appends then rent a new one) and returns it to the pool
/// once the send completed, so a buffer is never written while the socket reads it, and an idle
/// connection holds no buffer at all. One send at a time: a flush while a send is in flight
/// does nothing, and the send's completion takes whatever gathered meanwhile.</para>
/// <para>Completing (closing gracefully) writes what is queued, then shuts down the send
/// direction; closing drops what is queued. Appends after either are ignored.</para>
/// <para>Target: a socket, written directly (a service's connection, a plain link to another
/// gateway), or a stream (a TLS link to another gateway). A buffer made without one gathers
/// frames, as if a send were in flight, until <see cref="Start"/> gives it one.</para>
/// <para>Flow control: past a quarter of the limit the buffer is "full" for its writers
/// (<see cref="WhenWritable"/>): a connection's reader that wrote here waits, without reading
/// its own socket, until it drains below an eighth. A sender is slowed by its target; the target
/// is dropped only when the hard limit is passed anyway, or when it stops reading altogether
/// (<see cref="IsStalled"/>).</para>
/// </remarks>
internal sealed class OutboundBuffer
{
    // Enough for a batch of small frames; larger frames rent what they need.
    private const int InitialSize = 4096;

    private Socket? _socket;
    private Stream? _stream;
    private readonly long _limit;
    private readonly Action<Exception> _onSendFailed;
    private readonly object _gate = new();
    private byte[]? _buffer;
    private int _count;
    private long _queued;
    private bool _sending;
    private bool _completing;
    private bool _closed;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _pauseAt;
    private readonly long _resumeAt;
    private readonly long _waitLimitMs;
    private TaskCompletionSource? _writable;
    // When writers were first held back in the current congestion, 0 when none: read without
    // the lock on every CALL routed here (IsCongested), written under it.
    private long _congestedSince;
    private long _lastProgress = Environment.TickCount64;
    // Written under the lock as each send completes; read by the metrics without it.
    private long _bytesSent;

    /// <param name="socket">The socket written to; owned by the caller.</param>
    /// <param name="limit">The most bytes that may wait (queued plus being sent).</param>
    /// <param name="onSendFailed">Called once when a send fails (the peer went away).</param>
    /// <param name="waitLimitMs">How long writers are held back in one congestion; past it
    /// <see cref="WhenWritable"/> holds nobody (calls to this peer are refused instead).</param>
    public OutboundBuffer(Socket socket, long limit, Action<Exception> onSendFailed, long waitLimitMs)
        : this(limit, onSendFailed, waitLimitMs)
    {
        _socket = socket;
        _sending = false;
    }

    /// <summary>A buffer that gathers what is appended until <see cref="Start"/> gives it a socket or a stream.</summary>
    /// <inheritdoc cref="OutboundBuffer(Socket, long, Action{Exception}, long)" path="/param"/>
    public OutboundBuffer(long limit, Action<Exception> onSendFailed, long waitLimitMs)
    {
        // Not started: a "send in flight" holds every flush back until Start.
        _sending = true;
        _limit = limit;
        _waitLimitMs = waitLimitMs;
        _onSendFailed = onSendFailed;
        _pauseAt = Math.Max(1, limit / 4);
        _resumeAt = limit / 8;
    }

    /// <summary>
    /// <c>null</c> while writers may go on; else a task that completes once the queue drained
    /// below the resume mark, or the buffer closed. See the remarks.
    /// </summary>
    /// <param name="patient">Whether the writer waits however long the congestion lasts (it
    /// wrote RESPONSEs here, which cannot be refused); an impatient one (it wrote CALLs, which
    /// are refused past the wait limit) is held back for the wait limit at most.</param>
    public Task? WhenWritable(bool patient)
    {
        lock (_gate)
        {
            if (_closed || _completing || _queued < _pauseAt)
                return null;
            if (_writable is null)
            {
                _writable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Volatile.Write(ref _congestedSince, Environment.TickCount64);
            }
            else if (!patient && Environment.TickCount64 - _congestedSince > _waitLimitMs)
            {
                return null;
            }

            return _writable.Task;
        }
    }

    /// <summary>
    /// Whether the queue has been over the pause mark for longer than writers are held back:
    /// the peer reads slower than it is sent to, and waiting longer would hold its writers'
    /// other traffic hostage.
    /// </summary>
    public bool IsCongested =>
        Volatile.Read(ref _congestedSince) is var since and not 0 && Environment.TickCount64 - since > _waitLimitMs;

    /// <summary>
    /// Whether the queue is full and no send has completed for <paramref name="timeoutMs"/>: the
    /// peer has stopped reading (a slow consumer).
    /// </summary>
    public bool IsStalled(long nowMs, long timeoutMs)
    {
        lock (_gate)
            return _sending && !_closed && _queued >= _pauseAt && nowMs - _lastProgress > timeoutMs;
    }

    /// <summary>Bytes queued or being sent.</summary>
    public long QueuedBytes
    {
        get
        {
            lock (_gate) return _queued;
        }
    }

    /// <summary>Completes once a completed buffer has written everything and shut down its send direction, or was closed.</summary>
    public Task Drained => _drained.Task;

    /// <summary>Bytes the socket has taken so far.</summary>
    public long BytesSent => Volatile.Read(ref _bytesSent);

    /// <summary>
    /// Appends <paramref name="head"/> then <paramref name="body"/> as one unit (a frame, or a
    /// prefix and its payload). <see cref="WriteOutcome.Dropped"/> when completing or closed,
    /// <see cref="WriteOutcome.Overflow"/> (nothing appended) when it would pass the limit.
    /// </summary>
    public WriteOutcome Append(ReadOnlySpan<byte> head, ReadOnlySpan<byte> body)
    {
        var length = head.Length + body.Length;
        lock (_gate)
        {
            if (_completing || _closed)
                return WriteOutcome.Dropped;
            if (_queued + length > _limit)
                return WriteOutcome.Overflow;

            var buffer = _buffer;
            if (buffer is null || buffer.Length - _count < length)
                buffer = Grow(length);
            head.CopyTo(buffer.AsSpan(_count));
            body.CopyTo(buffer.AsSpan(_count + head.Length));
            _count += length;
            _queued += length;
            return WriteOutcome.Queued;
        }
    }

    /// <summary>
    /// Gives a buffer made without a target its socket (<paramref name="stream"/> <c>null</c>)
    /// or its stream, and sends what gathered meanwhile. Once only.
    /// </summary>
    public void Start(Socket socket, Stream? stream)
    {
        byte[]? chunk;
        int count;
        lock (_gate)
        {
            if (_socket is not null)
                throw new InvalidOperationException("The outbound buffer has a target already");
            _socket = socket;
            _stream = stream;
            if (_closed)
                return;
            chunk = _buffer;
            count = _count;
            _buffer = null;
            _count = 0;
            _sending = chunk is not null;
        }

        if (chunk is not null)
            Send(chunk, count);
    }

    /// <summary>Starts sending what is queued unless a send is in flight. Never blocks.</summary>
    public void Flush()
    {
        byte[] chunk;
        int count;
        lock (_gate)
        {
            if (_sending || _closed || _count == 0)
                return;
            _sending = true;
            chunk = _buffer!;
            count = _count;
            _buffer = null;
            _count = 0;
        }

        Send(chunk, count);
    }

    /// <summary>Writes what is queued, then shuts down the send direction; later appends are dropped.</summary>
    public void Complete()
    {
        bool idle;
        lock (_gate)
        {
            if (_completing || _closed)
                return;
            _completing = true;
            idle = !_sending && _count == 0;
        }

        // A send in flight shuts down once it has written the rest (see Next).
        if (idle) ShutdownSend();
        else Flush();
    }

    /// <summary>Drops what is queued; nothing more is written. A send in flight ends with the socket.</summary>
    public void Close()
    {
        byte[]? buffer;
        lock (_gate)
        {
            if (_closed)
                return;
            _closed = true;
            buffer = _buffer;
            _buffer = null;
            _count = 0;
        }

        if (buffer is not null)
            FrameBuffers.Return(buffer);
        ReleaseWriters();
        _drained.TrySetResult();
    }

    private void ReleaseWriters()
    {
        TaskCompletionSource? writable;
        lock (_gate)
        {
            writable = _writable;
            _writable = null;
            Volatile.Write(ref _congestedSince, 0);
        }

        writable?.TrySetResult();
    }

    private byte[] Grow(int length)
    {
        // Called under the lock. Doubling keeps the copies of a long batch few.
        var needed = _count + length;
        var size = Math.Max(needed, _buffer is null ? InitialSize : _buffer.Length * 2);
        var grown = FrameBuffers.Rent(size);
        if (_buffer is not null)
        {
            _buffer.AsSpan(0, _count).CopyTo(grown);
            FrameBuffers.Return(_buffer);
        }

        _buffer = grown;
        return grown;
    }

    private void Send(byte[] chunk, int count)
    {
        if (_stream is not null)
        {
            _ = WriteStreamAsync(_stream, chunk, count);
            return;
        }

        while (true)
        {
            ValueTask<int> sending;
            try
            {
                // A stream socket's SendAsync completes once every byte is written.
                sending = _socket!.SendAsync(chunk.AsMemory(0, count), SocketFlags.None);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                Failed(e);
                return;
            }

            if (!sending.IsCompleted)
            {
                _ = SendLaterAsync(sending, chunk, count);
                return;
            }

            try
            {
                sending.GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                Failed(e);
                return;
            }

            if (!Next(chunk, count, out chunk, out count))
                return;
        }
    }

    private async Task SendLaterAsync(ValueTask<int> sending, byte[] chunk, int count)
    {
        try
        {
            await sending.ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Failed(e);
            return;
        }

        if (Next(chunk, count, out chunk, out count))
            Send(chunk, count);
    }

    private async Task WriteStreamAsync(Stream stream, byte[] chunk, int count)
    {
        do
        {
            try
            {
                await stream.WriteAsync(chunk.AsMemory(0, count)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or AuthenticationException)
            {
                Failed(e);
                return;
            }
        }
        while (Next(chunk, count, out chunk, out count));
    }

    /// <summary>Returns the sent chunk and takes the next one, if any; else ends the send loop.</summary>
    private bool Next(byte[] sent, int sentCount, out byte[] chunk, out int count)
    {
        FrameBuffers.Return(sent);
        bool shutdown;
        bool more;
        TaskCompletionSource? writable = null;
        lock (_gate)
        {
            _queued -= sentCount;
            _bytesSent += sentCount;
            _lastProgress = Environment.TickCount64;
            if (_writable is not null && _queued < _resumeAt)
            {
                writable = _writable;
                _writable = null;
                Volatile.Write(ref _congestedSince, 0);
            }

            more = _count > 0 && !_closed;
            if (more)
            {
                chunk = _buffer!;
                count = _count;
                _buffer = null;
                _count = 0;
                shutdown = false;
            }
            else
            {
                chunk = null!;
                count = 0;
                _sending = false;
                shutdown = _completing && !_closed;
            }
        }

        writable?.TrySetResult();
        if (shutdown)
            ShutdownSend();
        return more;
    }

    private void ShutdownSend()
    {
        try
        {
            // Never started: there is no socket to shut down.
            _socket?.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The peer is gone already: nothing left to tell it.
        }

        _drained.TrySetResult();
    }

    private void Failed(Exception cause)
    {
        lock (_gate)
        {
            _sending = false;
            _closed = true;
        }

        ReleaseWriters();
        _drained.TrySetResult();
        _onSendFailed(cause);
    }
}
