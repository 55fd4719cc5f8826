using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using Bro.Connection;

namespace Bro.Client.Internal;

/// <summary>
/// The frames waiting to be written to one connection's socket (at most
/// <see cref="BroClientOptions.OutboundQueueSize"/>), and the one send in progress. Callers and
/// handlers append from any thread; the socket is written once per batch, from the thread pool.
/// </summary>
/// <remarks>
/// <para>Batching: a frame appended to an idle connection (no send for <see cref="BurstWindow"/>)
/// is sent at once, on the appending thread: a sequential call costs one send and no thread
/// hop. On a busy connection the first frame appended after a send schedules one flush on the
/// thread pool's global queue instead. A pool thread runs its local work items first, so that
/// flush runs once the callers resumed by one socket read (queued locally by its completions)
/// have all run and appended their next frames: they leave in one send, and the gateway reads
/// them in one read. While a send is in flight, appends gather for the next one, taken by the
/// same flush.</para>
/// <para>Ownership: small frames are copied into a batch array rented from the shared pool; a
/// larger frame stays in the array it was encoded into (<see cref="FrameBuffer.Detach"/>) and
/// is queued as a chunk of its own, so a 1 MB payload is never copied on its way out. The flush
/// takes chunks in order, sends each, and returns its array to the pool once the send completed:
/// an array is never written while the socket reads it.</para>
/// <para>Backpressure: when the limit is reached, <see cref="Append"/> refuses and writers wait
/// for <see cref="WhenRoom"/>, which completes when a send takes frames away (or the queue
/// closes). Nothing is sent before <see cref="Attach"/>: the REGISTER queued while connecting
/// leaves first.</para>
/// </remarks>
internal sealed class OutboundFrames : IThreadPoolWorkItem
{
    // Frames up to this size are copied into the batch; a copy this small costs less than a send.
    private const int CopyLimit = 16 * 1024;

    // A batch starts small and doubles while frames keep coming, so a burst leaves in few sends.
    private const int MinBatchSize = 4 * 1024;
    private const int MaxBatchSize = 256 * 1024;

    // A connection that sent this recently is in a burst: its next frames are worth gathering.
    // Longer than a pipelined caller's work between two calls, shorter than a sequential call's
    // round trip through the gateway.
    private static readonly long BurstWindow = Stopwatch.Frequency / 20_000; // 50 µs

    private readonly object _gate = new();
    private readonly int _capacity;
    private readonly Queue<Chunk> _chunks = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _socket;
    private Action<Exception>? _onFailed;
    private byte[]? _batch;
    private int _batchBytes;
    private int _batchFrames;
    private int _nextBatchSize = MinBatchSize;
    private int _queued;
    private long _lastFlush;
    private bool _flushing;
    private bool _completing;
    private bool _closed;
    private TaskCompletionSource? _room;

    /// <summary>Creates a queue holding at most <paramref name="capacity"/> frames.</summary>
    public OutboundFrames(int capacity) => _capacity = capacity;

    /// <summary>Completes once a completed queue has sent everything and shut down the send direction, or was closed.</summary>
    public Task Drained => _drained.Task;

    /// <summary>Starts writing to <paramref name="socket"/>; <paramref name="onFailed"/> is called once if a send fails.</summary>
    public void Attach(Socket socket, Action<Exception> onFailed)
    {
        lock (_gate)
        {
            _socket = socket;
            _onFailed = onFailed;
            if (!StartFlush())
                return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>
    /// Queues <paramref name="frame"/> (copied, or its array taken when large).
    /// <see cref="WriteOutcome.Overflow"/> when the queue is full (nothing queued; wait for
    /// <see cref="WhenRoom"/>), <see cref="WriteOutcome.Dropped"/> once completing or closed.
    /// </summary>
    public WriteOutcome Append(FrameBuffer frame)
    {
        bool inline;
        lock (_gate)
        {
            if (_completing || _closed)
                return WriteOutcome.Dropped;
            if (_queued >= _capacity)
                return WriteOutcome.Overflow;

            var length = frame.Length;
            if (length <= CopyLimit)
            {
                if (_batch is null || _batch.Length - _batchBytes < length)
                {
                    CloseBatch();
                    _batch = ArrayPool<byte>.Shared.Rent(Math.Max(_nextBatchSize, length));
                    _nextBatchSize = Math.Min(MaxBatchSize, _nextBatchSize * 2);
                }

                frame.Frame.CopyTo(_batch.AsSpan(_batchBytes));
                _batchBytes += length;
                _batchFrames++;
            }
            else
            {
                CloseBatch();
                _chunks.Enqueue(new Chunk(frame.Detach(), length, 1));
            }

            _queued++;
            if (!StartFlush())
                return WriteOutcome.Queued;
            var now = Stopwatch.GetTimestamp();
            inline = now - _lastFlush > BurstWindow;
            _lastFlush = now;
        }

        if (inline)
            SendQueued();
        else
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        return WriteOutcome.Queued;
    }

    /// <summary><c>null</c> while there is room (or the queue is closed); else a task completing when there is.</summary>
    public Task? WhenRoom()
    {
        lock (_gate)
        {
            if (_closed || _completing || _queued < _capacity)
                return null;
            return (_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    /// <summary>Sends what is queued, then shuts down the send direction; later appends are dropped.</summary>
    public void Complete()
    {
        bool idle;
        bool unattached;
        lock (_gate)
        {
            if (_completing || _closed)
                return;
            _completing = true;
            unattached = _socket is null;
            idle = !_flushing && _queued == 0;
        }

        ReleaseWriters();
        if (unattached)
            Close();
        else if (idle)
            ShutdownSend();
    }

    /// <summary>Drops what is queued; nothing more is written. A send in flight ends with the socket.</summary>
    public void Close()
    {
        List<byte[]> arrays = [];
        lock (_gate)
        {
            if (_closed)
                return;
            _closed = true;
            CloseBatch();
            while (_chunks.TryDequeue(out var chunk))
                arrays.Add(chunk.Array);
        }

        foreach (var array in arrays)
            ArrayPool<byte>.Shared.Return(array);
        ReleaseWriters();
        _drained.TrySetResult();
    }

    /// <summary>The flush: sends every chunk queued, including those appended meanwhile.</summary>
    void IThreadPoolWorkItem.Execute() => SendQueued();

    private void SendQueued()
    {
        while (true)
        {
            Chunk chunk;
            bool shutdown;
            lock (_gate)
            {
                CloseBatch();
                if (!_closed && _chunks.TryDequeue(out chunk))
                {
                    shutdown = false;
                }
                else
                {
                    _flushing = false;
                    shutdown = _completing && !_closed;
                    chunk = default;
                }
            }

            if (chunk.Array is null)
            {
                if (shutdown)
                    ShutdownSend();
                return;
            }

            ValueTask<int> sending;
            try
            {
                // A stream socket's SendAsync completes once every byte is written.
                sending = _socket!.SendAsync(chunk.Array.AsMemory(0, chunk.Bytes), SocketFlags.None);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                Failed(chunk, e);
                return;
            }

            if (!sending.IsCompleted)
            {
                _ = SendLaterAsync(sending, chunk);
                return;
            }

            try
            {
                sending.GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                Failed(chunk, e);
                return;
            }

            Sent(chunk);
        }
    }

    private async Task SendLaterAsync(ValueTask<int> sending, Chunk chunk)
    {
        try
        {
            await sending.ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Failed(chunk, e);
            return;
        }

        Sent(chunk);
        SendQueued();
    }

    private void Sent(Chunk chunk)
    {
        ArrayPool<byte>.Shared.Return(chunk.Array);
        TaskCompletionSource? room = null;
        lock (_gate)
        {
            _queued -= chunk.Frames;
            if (_queued < _capacity)
            {
                room = _room;
                _room = null;
            }

            if (_queued == 0)
                _nextBatchSize = MinBatchSize;
        }

        room?.TrySetResult();
    }

    private void Failed(Chunk chunk, Exception cause)
    {
        ArrayPool<byte>.Shared.Return(chunk.Array);
        lock (_gate)
            _flushing = false;
        Close();
        _onFailed?.Invoke(cause);
    }

    /// <summary>Marks a flush as started when one is needed and none runs; called under the lock.</summary>
    private bool StartFlush()
    {
        if (_flushing || _socket is null || _closed || _queued == 0)
            return false;
        _flushing = true;
        return true;
    }

    /// <summary>Queues the batch being filled as a chunk; called under the lock.</summary>
    private void CloseBatch()
    {
        if (_batch is null)
            return;
        if (_batchBytes == 0)
        {
            // Kept for the next frames: an empty batch is not a chunk.
            if (!_closed)
                return;
            ArrayPool<byte>.Shared.Return(_batch);
        }
        else
        {
            _chunks.Enqueue(new Chunk(_batch, _batchBytes, _batchFrames));
        }

        _batch = null;
        _batchBytes = 0;
        _batchFrames = 0;
    }

    private void ReleaseWriters()
    {
        TaskCompletionSource? room;
        lock (_gate)
        {
            room = _room;
            _room = null;
        }

        room?.TrySetResult();
    }

    private void ShutdownSend()
    {
        try
        {
            _socket!.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The peer is gone already: nothing left to tell it.
        }

        _drained.TrySetResult();
    }

    /// <summary>Frames laid end to end in a pooled array.</summary>
    private readonly record struct Chunk(byte[] Array, int Bytes, int Frames);
}
