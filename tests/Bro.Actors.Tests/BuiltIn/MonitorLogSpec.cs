using Bro.BuiltIn;
using Bro.BuiltIn.Internal;
using Xunit;

namespace Bro.Actors.Tests.BuiltIn;

/// <summary>The monitor's ring of records: its bounds, its cursor, its wake-up.</summary>
public sealed class MonitorLogSpec
{
    private static MonitorRecord Record(MonitorLog log, string from = "a", string to = "b")
    {
        Assert.True(log.TryNext(out var seq), "the ring paused");
        return new(seq, 0, "CALL", "req", from, to, "m", null, null, null, "root", 1);
    }

    [Fact]
    public void MonitorLog_pauses_recording_a_whole_ring_ahead_of_the_last_read_and_the_next_read_resumes_it()
    {
        var log = new MonitorLog(4);
        log.SetWatched(true);
        for (var i = 0; i < 4; i++)
            log.Add(Record(log));

        Assert.False(log.TryNext(out _));
        Assert.False(log.IsWatched);

        var batch = log.Read(0, null);
        Assert.Equal([1L, 2, 3, 4], batch.Records.Select(r => r.Seq));
        Assert.True(batch.Paused);
        Assert.True(log.IsWatched);
        log.Add(Record(log));
        Assert.False(log.Read(batch.Cursor, null).Paused);
    }

    [Fact]
    public void MonitorLog_counts_the_records_a_slow_reader_lost_to_a_faster_one()
    {
        var log = new MonitorLog(4);
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 3; i++)
                log.Add(Record(log));
            log.Read(log.Head - 1, null); // a fast reader keeps the ring from pausing
        }

        var slow = log.Read(0, null);

        Assert.Equal([6L, 7, 8, 9], slow.Records.Select(r => r.Seq));
        Assert.Equal((9L, 5L), (slow.Cursor, slow.Missed));
    }

    [Fact]
    public void MonitorLog_stops_at_a_number_taken_whose_record_is_not_stored_yet()
    {
        var log = new MonitorLog(8);
        log.Add(Record(log));
        var late = Record(log); // its writer took the number but has not stored the record
        log.Add(Record(log));

        var first = log.Read(0, null);
        Assert.Equal([1L], first.Records.Select(r => r.Seq));
        Assert.Equal(1, first.Cursor);

        log.Add(late);
        Assert.Equal([2L, 3], log.Read(first.Cursor, null).Records.Select(r => r.Seq));
    }

    [Fact]
    public void MonitorLog_filters_by_service_and_moves_the_cursor_past_what_it_filtered_out()
    {
        var log = new MonitorLog(8);
        log.Add(Record(log, "cart", "order"));
        log.Add(Record(log, "user", "role"));
        log.Add(Record(log, "order", "cart"));

        var batch = log.Read(0, "cart");

        Assert.Equal([1L, 3], batch.Records.Select(r => r.Seq));
        Assert.Equal(3, batch.Cursor);
    }

    [Fact]
    public void MonitorLog_answers_at_most_one_batch_and_clamps_a_cursor_from_the_future()
    {
        var log = new MonitorLog(MonitorLog.MaxBatch * 2);
        for (var i = 0; i < MonitorLog.MaxBatch + 5; i++)
            log.Add(Record(log));

        var batch = log.Read(0, null);
        Assert.Equal((MonitorLog.MaxBatch, (long)MonitorLog.MaxBatch), (batch.Records.Count, batch.Cursor));
        Assert.Equal(5, log.Read(batch.Cursor, null).Records.Count);
        Assert.Equal(log.Head, log.Read(log.Head + 1_000, null).Cursor);
    }

    [Fact]
    public void MonitorLog_wakes_its_reader_once_per_arming()
    {
        var log = new MonitorLog(8);
        var wakes = 0;
        log.Add(Record(log));
        Assert.Equal(0, wakes);

        log.ArmWake(() => wakes++);
        log.Add(Record(log));
        log.Add(Record(log));

        Assert.Equal(1, wakes);
    }
}
