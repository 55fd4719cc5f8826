using System.Diagnostics;
using System.Net.Sockets;

namespace Bro.Bench;

/// <summary>
/// The raw driver's caller <c>raw-caller-K</c>: sends pre-encoded CALLs to <c>raw-svc-K</c>
/// with at most N in flight and times each one from its write to its RESPONSE.
/// </summary>
/// <remarks>
/// <para>One task does both directions. Whenever the previous write has completed and credits
/// are free, all the calls the credits allow go out in one write; then it reads. A write may
/// still be pending while it reads: the socket allows one of each at once, and reading
/// meanwhile is what keeps a full socket from deadlocking caller and server. A write in progress
/// holds calls not yet answered, so the read always has something to wait for.</para>
/// <para>Ids are K * <see cref="RawFrames.PairIdBase"/> + a sequence number that never repeats on
/// this caller, so a RESPONSE maps straight to its slot in the run's latency array; a RESPONSE
/// that is not a success, or whose id is unknown or answered twice, fails the run at once.</para>
/// </remarks>
internal sealed class RawCaller : IDisposable
{
    private readonly RawConnection _connection;
    private readonly RawFrames _frames;
    private readonly long _idBase;
    private long _nextSequence;

    // CALL templates laid end to end, one slot per call in flight: a batch only patches ids.
    private byte[] _calls = [];

    private RawCaller(RawConnection connection, RawFrames frames, int pair)
    {
        _connection = connection;
        _frames = frames;
        _idBase = pair * RawFrames.PairIdBase;
    }

    /// <summary>Connects and registers <c>raw-caller-{pair}</c>.</summary>
    public static async Task<RawCaller> StartAsync(string path, RawFrames frames, int pair, CancellationToken cancellation)
    {
        var connection = await RawConnection.RegisterAsync(path, frames.Encoding, $"raw-caller-{pair}", cancellation);
        return new RawCaller(connection, frames, pair);
    }

    /// <summary>Makes <paramref name="calls"/> calls, at most <paramref name="inFlight"/> outstanding; returns each call's latency in Stopwatch ticks.</summary>
    public async Task<long[]> RunAsync(int calls, int inFlight, CancellationToken cancellation)
    {
        var frameLength = _frames.Call.Length;
        if (_calls.Length < inFlight * frameLength)
        {
            _calls = new byte[inFlight * frameLength];
            for (var i = 0; i < inFlight; i++)
                _frames.Call.CopyTo(_calls, i * frameLength);
        }

        var run = new Run(calls, _nextSequence);
        _nextSequence += calls;
        var writing = Task.CompletedTask;
        while (run.Answered < calls)
        {
            if (writing.IsCompleted)
            {
                await writing;
                var batch = Math.Min(inFlight - (run.Sent - run.Answered), calls - run.Sent);
                if (batch > 0)
                    writing = _connection.Socket.SendAsync(Batch(run, batch), SocketFlags.None, cancellation).AsTask();
            }

            if (!await _connection.Reader.FillAsync(cancellation))
                throw new EndOfStreamException($"the server closed raw-caller connection with {run.Sent - run.Answered} calls in flight");
            Collect(run);
        }

        await writing;
        return run.Latencies;
    }

    public void Dispose() => _connection.Dispose();

    /// <summary>Patches the next <paramref name="count"/> ids into the slots and stamps their start.</summary>
    private ReadOnlyMemory<byte> Batch(Run run, int count)
    {
        var frameLength = _frames.Call.Length;
        var idOffset = _frames.IdOffset;
        var now = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var index = run.Sent++;
            RawFrames.WriteId(_calls.AsSpan(i * frameLength + idOffset), _idBase + run.FirstSequence + index);
            run.Latencies[index] = now;
        }

        return _calls.AsMemory(0, count * frameLength);
    }

    /// <summary>Matches every complete RESPONSE in the reader to its call; one timestamp per read.</summary>
    private void Collect(Run run)
    {
        var now = Stopwatch.GetTimestamp();
        var idAt = _frames.IdOffset - 4;
        while (_connection.Reader.TryNext(out var payload))
        {
            if (!_frames.IsSuccess(payload))
                throw new InvalidDataException($"raw caller expected a success RESPONSE laid out like its template, got {RawFrames.Describe(payload)}");
            var index = RawFrames.ReadId(payload.Slice(idAt, RawFrames.IdLength)) - _idBase - run.FirstSequence;
            if (index < 0 || index >= run.Sent || run.Done[index])
                throw new InvalidDataException($"RESPONSE id {RawFrames.Describe(payload.Slice(idAt, RawFrames.IdLength))} is not a call in flight");
            run.Done[index] = true;
            run.Latencies[index] = now - run.Latencies[index];
            run.Answered++;
        }
    }

    /// <summary>One <see cref="RunAsync"/>: start stamps become latencies as RESPONSEs arrive.</summary>
    private sealed class Run(int calls, long firstSequence)
    {
        public readonly long FirstSequence = firstSequence;
        public readonly long[] Latencies = new long[calls];
        public readonly bool[] Done = new bool[calls];
        public int Sent;
        public int Answered;
    }
}
