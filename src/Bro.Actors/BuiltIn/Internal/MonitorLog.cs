namespace Bro.BuiltIn.Internal;

/// <summary>
/// The ring of recent CALL and RESPONSE records that <see cref="BroService.Monitor"/> polls.
/// Records are kept only while <see cref="IsWatched"/>: when nobody watches, the router reads
/// that one volatile flag per frame and does nothing else.
/// </summary>
/// <remarks>
/// <para>Writers are the connections' read loops, many at once; they never lock. Each takes the
/// next sequence number with one interlocked increment and stores its record in the slot that
/// number maps to. A record carries its number, so a reader tells a slot not written yet
/// (an older number: it stops there and reads it on the next poll) from one overwritten by a
/// writer a whole ring ahead (a newer number: that record is counted as missed).</para>
/// <para>Back-pressure on the recording itself: when the writers are a whole ring ahead of the
/// last read, the ring pauses (<see cref="IsWatched"/> turns false, so routing costs one flag
/// read again) until the next read makes room. A gateway routing far faster than a monitor
/// reads thus records only what the monitor will show, and the batch says records were skipped
/// (<see cref="MonitorBatch.Paused"/>).</para>
/// <para>Readers (the built-in service's actor) wait for new records by arming
/// <see cref="ArmWake"/>; the first record written after that calls the wake action once, from
/// the writer's thread: one message per batch of records, not one per record.</para>
/// </remarks>
internal sealed class MonitorLog
{
    /// <summary>
    /// The most records one poll answers: at the pace of five batches a second, 1,280 lines a
    /// second on a busy gateway, more than anyone reads, while every record sent costs the
    /// gateway its serialization and the watching process its printing (on a small machine both
    /// compete with the routing: a batch of 1,024 cost a raw-pipelined run 10-21% of its calls/s).
    /// </summary>
    public const int MaxBatch = 256;

    private readonly MonitorRecord?[] _slots;
    private Action? _wake;
    private long _last;
    private long _readCursor;
    private volatile bool _watched;
    private volatile bool _paused;
    private int _wakeArmed;

    /// <param name="capacity">Records kept (<c>bro.gateway.monitor-buffer-size</c>).</param>
    public MonitorLog(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _slots = new MonitorRecord?[capacity];
    }

    /// <summary>Records the ring holds at most.</summary>
    public int Capacity => _slots.Length;

    /// <summary>Whether records are kept: a monitor polled lately, and the ring is not paused full.</summary>
    public bool IsWatched => _watched;

    /// <summary>The sequence number of the latest record (0 before the first).</summary>
    public long Head => Volatile.Read(ref _last);

    /// <summary>Starts or stops keeping records (starting also ends a pause).</summary>
    public void SetWatched(bool watched)
    {
        _paused = false;
        _watched = watched;
    }

    /// <summary>
    /// The number for the record about to be <see cref="Add"/>ed, or false when the ring is a
    /// whole ring ahead of the last read: recording pauses until the next read.
    /// </summary>
    public bool TryNext(out long seq)
    {
        if (Volatile.Read(ref _last) - Volatile.Read(ref _readCursor) >= _slots.Length)
        {
            _paused = true;
            _watched = false;
            seq = 0;
            return false;
        }

        seq = Interlocked.Increment(ref _last);
        return true;
    }

    /// <summary>Stores a record under the number <see cref="TryNext"/> gave it.</summary>
    public void Add(MonitorRecord record)
    {
        Volatile.Write(ref _slots[record.Seq % _slots.Length], record);
        if (Volatile.Read(ref _wakeArmed) != 0 && Interlocked.Exchange(ref _wakeArmed, 0) != 0)
            _wake!();
    }

    /// <summary>
    /// Asks for one call of <paramref name="wake"/>, on a writer's thread, by the next record.
    /// The caller reads <see cref="Head"/> after arming: a record written just before was not signalled.
    /// </summary>
    public void ArmWake(Action wake)
    {
        _wake = wake; // published by the volatile write below, read after the exchange in Add
        Volatile.Write(ref _wakeArmed, 1);
    }

    /// <summary>
    /// The records after <paramref name="after"/> (at most <see cref="MaxBatch"/>), those of
    /// <paramref name="service"/> only when given, and the cursor to read on from. A read
    /// makes room: a ring paused full records again.
    /// </summary>
    public MonitorBatch Read(long after, string? service)
    {
        var head = Head;
        after = Math.Clamp(after, 0, head); // a cursor from another gateway's run starts anew
        var oldest = Math.Max(1, head - _slots.Length + 1);
        var next = Math.Max(after + 1, oldest);
        var missed = next - (after + 1);
        var records = new List<MonitorRecord>();
        var cursor = next - 1;
        for (var seq = next; seq <= head && records.Count < MaxBatch; seq++)
        {
            var record = Volatile.Read(ref _slots[seq % _slots.Length]);
            if (record is null || record.Seq < seq)
                break; // its writer has the number but has not stored it yet: read it next time
            cursor = seq;
            if (record.Seq > seq)
            {
                missed++; // overwritten by a writer a whole ring ahead
                continue;
            }

            if (service is null || string.Equals(record.From, service, StringComparison.Ordinal)
                                || string.Equals(record.To, service, StringComparison.Ordinal))
                records.Add(record);
        }

        // Several monitors: the ring makes room up to the furthest read.
        if (cursor > Volatile.Read(ref _readCursor))
            Volatile.Write(ref _readCursor, cursor);
        var paused = _paused;
        if (paused)
        {
            _paused = false;
            _watched = true;
        }

        return new MonitorBatch(cursor, missed, records, paused);
    }
}
