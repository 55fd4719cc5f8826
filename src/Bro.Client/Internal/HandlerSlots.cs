namespace Bro.Client.Internal;

/// <summary>
/// The handlers a client runs at once (at most <see cref="BroClientOptions.MaxConcurrentHandlers"/>),
/// and the CALLs waiting for one to finish. Shared by every pooled connection of the client.
/// </summary>
/// <remarks>
/// <para>Why the connections keep reading when every slot is busy: a RESPONSE to this
/// client's own calls arrives on the same socket as the CALLs. Were reading to stop as soon as
/// the slots are full, a handler awaiting the RESPONSE to a nested call would hold its slot until
/// its deadline, waiting for bytes nobody reads, and so would every other such handler: a
/// deadlock broken only by timeouts. So only CALL frames are held back: a CALL finding every slot
/// busy waits in a queue as long as the limit while the read loop goes on dispatching RESPONSE,
/// ERROR and REGISTER_ACK frames, and a handler that finishes takes the oldest waiting CALL.</para>
/// <para>Only the CALL that fills the queue pauses its read loop (<see cref="Dispatch"/> returns an
/// unfinished task): the socket is then not read, the kernel buffer fills and the gateway's flow
/// control slows the callers down, until a handler finishes and makes room. Memory stays bounded
/// (2 × the limit CALLs, plus one per pooled connection that read while the queue was full); the
/// price is that a RESPONSE queued behind CALLs in a paused socket waits too. A handler can thus
/// still hang on a nested call, but only when the limit and the queue are both full of handlers
/// that wait for RESPONSEs, and then no longer than its call's timeout or deadline.</para>
/// </remarks>
internal sealed class HandlerSlots
{
    private readonly object _gate = new();
    private readonly Queue<HandledCall> _waiting = new();
    private readonly Func<HandledCall, Task> _handle;

    // The queue holds as many CALLs as the slots: enough to absorb a burst while handlers finish,
    // and no second option to tune.
    private readonly int _limit;
    private int _running;
    private TaskCompletionSource? _room;

    /// <summary>Creates slots running at most <paramref name="limit"/> calls of <paramref name="handle"/> at once.</summary>
    public HandlerSlots(int limit, Func<HandledCall, Task> handle)
    {
        _limit = limit;
        _handle = handle;
    }

    /// <summary>
    /// Runs <paramref name="call"/> on the thread pool when a slot is free, else queues it.
    /// </summary>
    /// <returns>A completed task, or, when this call filled the queue, a task that completes once
    /// there is room again: the read loop reads no further frame until then.</returns>
    public Task Dispatch(HandledCall call)
    {
        lock (_gate)
        {
            if (_running == _limit)
            {
                _waiting.Enqueue(call);
                return _waiting.Count < _limit
                    ? Task.CompletedTask
                    : (_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }

            _running++;
        }

        Start(call);
        return Task.CompletedTask;
    }

    private void Start(HandledCall call) => _ = Task.Run(async () =>
    {
        try
        {
            await _handle(call).ConfigureAwait(false);
        }
        finally
        {
            Release();
        }
    });

    /// <summary>Hands a finished handler's slot to the oldest waiting CALL, or frees it.</summary>
    private void Release()
    {
        HandledCall? next;
        TaskCompletionSource? room = null;
        lock (_gate)
        {
            if (!_waiting.TryDequeue(out next))
            {
                _running--;
                return;
            }

            if (_waiting.Count < _limit)
            {
                room = _room;
                _room = null;
            }
        }

        // Outside the lock: the paused read loops resume on the thread pool (RunContinuationsAsynchronously).
        room?.TrySetResult();
        Start(next);
    }
}
