using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using Akka.Actor;
using Bro.Client.Internal;
using Bro.Protocol;
using Bro.Transport;

namespace Bro.Client.Connection;

/// <summary>
/// The data plane of one client connection: connects the socket, hands it to the
/// <see cref="ConnectionHandle"/>'s outbound queue, and reads it in a loop that cuts the bytes
/// into frames in place and dispatches each one (<see cref="ClientCore.OnFrame"/>) on the
/// reading thread. Its <see cref="GatewayConnectionActor"/> starts it and is told when the socket
/// opened (<see cref="GatewayConnectionActor.SocketOpened"/>) and when reading ended
/// (<see cref="GatewayConnectionActor.StreamEnded"/>, exactly once).
/// </summary>
/// <remarks>
/// <para>Thread hops of a RESPONSE: the socket's completion resumes the loop on a pool thread
/// (the runtime's socket engine hands completions to the pool); the loop decodes the frame and
/// completes the pending call, whose caller resumes as a work item queued on that same thread
/// (<c>RunContinuationsAsynchronously</c>, so that no caller's code ever runs inside the read loop
/// and holds up the other frames). A CALL goes to a handler on the pool the same way.</para>
/// <para>Buffer ownership: a frame's payload is handed to dispatch as a slice of the pooled read
/// buffer, valid during that call only: decoding copies out what the message keeps (strings, raw
/// values), so no frame is copied whole. A frame larger than <see cref="MaxReadBufferSize"/> is
/// read into an array of its own, not pooled, which its message keeps: its raw values are
/// slices of it, so a large payload is copied neither whole nor in part on its way in.</para>
/// <para>Backpressure: while every handler slot and the queue behind them are taken, dispatch
/// returns an unfinished task and the socket is not read until it completes (see
/// <see cref="HandlerSlots"/>); closing ends that wait at once.</para>
/// </remarks>
internal sealed class GatewaySocket
{
    // Reads start small (a client sends and receives small frames mostly) and double, up to
    // MaxReadBufferSize, each time a read fills the buffer.
    private const int MinReadBufferSize = 4 * 1024;
    private const int MaxReadBufferSize = 64 * 1024;

    // How long closing waits for the queued frames to leave before closing the socket anyway.
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly ClientCore _core;
    private readonly ConnectionHandle _handle;
    private readonly IActorRef _actor;
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _closing = new();
    private int _readBufferSize = MinReadBufferSize;
    private int _closed;
    private volatile Exception? _sendFailure;

    /// <summary>Creates the socket of <paramref name="handle"/>; nothing happens before <see cref="Start"/>.</summary>
    public GatewaySocket(ClientCore core, ConnectionHandle handle, IActorRef actor)
    {
        _core = core;
        _handle = handle;
        _actor = actor;
    }

    /// <summary>Connects to <paramref name="path"/> and reads until the connection ends.</summary>
    public void Start(string path) => _ = RunAsync(path);

    /// <summary>
    /// Stops reading and writing: what is queued is written first (for at most
    /// <see cref="DrainTimeout"/>), then the socket is closed. Idempotent.
    /// </summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
            return;
        _handle.Complete();
        // No answer written from here on can reach a caller: the handlers still running stop.
        _handle.Handling.AbandonAll();
        _closing.Cancel();
        _ = DisposeWhenDrainedAsync();
    }

    private async Task DisposeWhenDrainedAsync()
    {
        await _handle.Drained.WaitAsync(DrainTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
    }

    private async Task RunAsync(string path)
    {
        Exception? failure = null;
        try
        {
            await _socket.ConnectAsync(new UnixDomainSocketEndPoint(path)).ConfigureAwait(false);
            _handle.Attach(_socket, OnSendFailed);
            _actor.Tell(new GatewayConnectionActor.SocketOpened(_handle));
            await ReadLoopAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or ArgumentException or FrameTooLargeException)
        {
            // Once closing, the socket's end is ours, not a failure.
            failure = Volatile.Read(ref _closed) != 0 ? null : _sendFailure ?? e;
        }
        catch (Exception e)
        {
            // A broken invariant: this connection goes (the actor reconnects), the client stays.
            failure = e;
        }

        _actor.Tell(new GatewayConnectionActor.StreamEnded(_handle, failure));
    }

    private void OnSendFailed(Exception cause)
    {
        // The read loop ends with the socket and reports the end, giving the send's cause.
        _sendFailure = cause;
        _socket.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_readBufferSize);
        var pooled = true;
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                if (start == end)
                {
                    start = end = 0;
                    if (!pooled)
                    {
                        // A large frame's array went with its message.
                        buffer = ArrayPool<byte>.Shared.Rent(_readBufferSize);
                        pooled = true;
                    }
                }
                else
                {
                    buffer = MakeRoom(buffer, ref start, ref end, ref pooled);
                }

                var read = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                    return; // the gateway closed (or shut down its send direction)
                if (end + read == buffer.Length && _readBufferSize < MaxReadBufferSize)
                    _readBufferSize *= 2;
                end += read;

                while (end - start >= Frames.PrefixLength)
                {
                    var length = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(start));
                    if (length > (uint)_core.Options.MaxFrameSize)
                        throw new FrameTooLargeException(length, _core.Options.MaxFrameSize);
                    var size = Frames.PrefixLength + (int)length;
                    if (end - start < size)
                        break;

                    var payload = buffer.AsMemory(start + Frames.PrefixLength, (int)length);
                    start += size;
                    var ready = _core.OnFrame(_handle, _actor, payload, keepPayload: !pooled);
                    if (!ready.IsCompleted)
                        await ready.WaitAsync(_closing.Token).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (pooled)
                ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Moves or grows the buffer so the partial frame at [start, end) fits whole and there is room
    /// to read; a frame over <see cref="MaxReadBufferSize"/> gets an array of exactly its size,
    /// not pooled (<paramref name="pooled"/> false), so that reading it cannot run into the next.
    /// </summary>
    private byte[] MakeRoom(byte[] buffer, ref int start, ref int end, ref bool pooled)
    {
        var partial = end - start;
        var needed = partial >= Frames.PrefixLength
            ? Frames.PrefixLength + (int)BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(start))
            : _readBufferSize;
        if (needed > MaxReadBufferSize && pooled)
        {
            var own = GC.AllocateUninitializedArray<byte>(needed);
            buffer.AsSpan(start, partial).CopyTo(own);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = own;
            pooled = false;
        }
        else if (needed > buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _readBufferSize));
            buffer.AsSpan(start, partial).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = larger;
        }
        else if (start > 0 && (buffer.Length - start < needed || end == buffer.Length))
        {
            buffer.AsSpan(start, partial).CopyTo(buffer);
        }
        else
        {
            return buffer;
        }

        start = 0;
        end = partial;
        return buffer;
    }
}
