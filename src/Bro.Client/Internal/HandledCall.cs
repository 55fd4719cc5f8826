using Bro.Protocol;

namespace Bro.Client.Internal;

/// <summary>
/// A CALL this client is handling (or about to, when it waits for a handler slot): the
/// connection it came in on and the handler's cancellation, which fires at the call's deadline
/// and when the call is abandoned (the gateway's CANCEL, or this connection closing).
/// </summary>
/// <remarks>
/// <para>Lazy: the token source, and the timer behind its deadline, are created only when the
/// handler or a nested call asks for <see cref="Token"/>; a handler that never looks at its
/// token costs one object and one table entry.</para>
/// <para>Races: <see cref="Abandon"/> (a read loop, or a closing connection) and the first
/// <see cref="Token"/> (the handler) may run at once. Each publishes its half with a full fence
/// (the flag, the source) and then reads the other's, so at least one of them sees both and
/// cancels. <see cref="Dispose"/> (the handler ended) may race a cancellation as well: a source
/// disposed under it means nobody is left to stop.</para>
/// </remarks>
internal sealed class HandledCall : IDisposable
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(int.MaxValue);

    private readonly TimeProvider _time;
    private CancellationTokenSource? _source;
    private int _abandoned;
    private int _ended;

    /// <summary>Creates the record of <paramref name="call"/>, received on <paramref name="connection"/>.</summary>
    public HandledCall(ConnectionHandle connection, CallMessage call, TimeProvider time)
    {
        Connection = connection;
        Call = call;
        _time = time;
    }

    /// <summary>The connection the CALL came in on; its RESPONSE goes back there.</summary>
    public ConnectionHandle Connection { get; }

    /// <summary>The CALL.</summary>
    public CallMessage Call { get; }

    /// <summary>
    /// The handler's token: fires at the call's deadline (<see cref="CallContext.Deadline"/>) or
    /// when the call is abandoned. <see cref="CancellationToken.None"/> once the handler ended.
    /// </summary>
    public CancellationToken Token
    {
        get
        {
            if (Volatile.Read(ref _abandoned) != 0)
                return new CancellationToken(canceled: true);
            var source = Volatile.Read(ref _source) ?? Create();
            try
            {
                return source.Token;
            }
            catch (ObjectDisposedException)
            {
                // Asked for after the handler ended (work it left running): nothing will cancel it.
                return CancellationToken.None;
            }
        }
    }

    /// <summary>Whether the call's deadline has passed: a handler stopped by its token then owes DEADLINE_EXCEEDED.</summary>
    public bool IsOverdue => _time.GetUtcNow().ToUnixTimeMilliseconds() >= Call.Context.Deadline;

    /// <summary>
    /// The call was abandoned: the token fires. Its callbacks run on the thread pool, never on
    /// the read loop that got the CANCEL (a handler's continuation must not hold up the socket).
    /// </summary>
    public void Abandon()
    {
        if (Interlocked.Exchange(ref _abandoned, 1) != 0)
            return;
        if (Volatile.Read(ref _source) is { } source)
            ThreadPool.UnsafeQueueUserWorkItem(static source => Cancel(source), source, preferLocal: false);
    }

    /// <summary>The handler ended: the deadline's timer goes, and the table entry with it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
            return;
        Connection.Handling.Remove(this);
        Volatile.Read(ref _source)?.Dispose();
    }

    private CancellationTokenSource Create()
    {
        // A timer cannot wait longer than int.MaxValue ms (24.8 days): a deadline beyond that
        // (an ipc-bro caller may write any) only fires by abandonment.
        var remaining = DateTimeOffset.FromUnixTimeMilliseconds(Call.Context.Deadline) - _time.GetUtcNow();
        var delay = remaining <= TimeSpan.Zero ? TimeSpan.Zero : remaining < MaxDelay ? remaining : Timeout.InfiniteTimeSpan;
        var created = new CancellationTokenSource(delay, _time);
        if (Interlocked.CompareExchange(ref _source, created, null) is { } raced)
        {
            created.Dispose();
            return raced;
        }

        // Abandoned before the source existed: Abandon found nothing to cancel, so this does.
        if (Volatile.Read(ref _abandoned) != 0)
            Cancel(created);
        // Ended meanwhile: Dispose may have missed the new source.
        if (Volatile.Read(ref _ended) != 0)
            created.Dispose();
        return created;
    }

    private static void Cancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The handler ended first: there is nothing left to stop.
        }
    }
}
