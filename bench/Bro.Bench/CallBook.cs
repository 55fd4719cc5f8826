using System.Diagnostics;
using System.Globalization;
using Bro.Protocol;

namespace Bro.Bench;

/// <summary>
/// The calls one chaos connection made: each gets the id <c>{_owner}-{sequence}</c>, a deadline
/// and a task that completes with its RESPONSE. Every call ends exactly once, in the
/// <see cref="ChaosLedger"/>: answered, abandoned with its connection, or lost at the end.
/// </summary>
/// <remarks>
/// Sequences are dense from 0, so "answered already" is one bit per call: a second RESPONSE
/// for an answered id is a duplicate, one for an id never issued is a stray. Thread-safe.
/// </remarks>
internal sealed class CallBook
{
    private readonly ChaosLedger _ledger;
    private readonly string _owner;
    private readonly IReadOnlySet<string> _expected;
    private readonly bool _judgesLateness;
    private readonly object _gate = new();
    private readonly Dictionary<long, Pending> _pending = [];
    private readonly List<ulong> _answered = [];
    private long _next;

    /// <param name="ledger">Where every call's end is counted; the book registers with it, so the run's end reaches its calls.</param>
    /// <param name="owner">The connection's name: ids are <c>{_owner}-{sequence}</c>.</param>
    /// <param name="expected">The outcomes that are not unexpected.</param>
    /// <param name="judgesLateness">Whether answers are held to deadline + grace.</param>
    public CallBook(ChaosLedger ledger, string owner, IReadOnlySet<string> expected, bool judgesLateness)
    {
        _ledger = ledger;
        _owner = owner;
        _expected = expected;
        _judgesLateness = judgesLateness;
        ledger.Track(this);
    }

    /// <summary>Calls made and not yet ended.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate) return _pending.Count;
        }
    }

    /// <summary>Books a call due by <paramref name="deadline"/> (a Stopwatch timestamp), <paramref name="what"/> naming it in the report; returns its id and its answer (null when it ended without one).</summary>
    public (string Id, Task<ResponseMessage?> Answer) Begin(long deadline, string what)
    {
        var pending = new Pending(deadline, what, new TaskCompletionSource<ResponseMessage?>(TaskCreationOptions.RunContinuationsAsynchronously));
        long sequence;
        lock (_gate)
        {
            sequence = _next++;
            _pending.Add(sequence, pending);
            if ((sequence >> 6) >= _answered.Count)
                _answered.Add(0);
        }

        _ledger.Made();
        return ($"{_owner}-{sequence.ToString(CultureInfo.InvariantCulture)}", pending.Answer.Task);
    }

    /// <summary>
    /// Makes a call on <paramref name="peer"/> with <paramref name="context"/> (its deadline is the
    /// call's) and returns its answer; a write that fails leaves the call to <see cref="Abandon"/>.
    /// </summary>
    public async Task<ResponseMessage?> CallAsync(ChaosPeer peer, string to, string method, RawValue? parameters, CallContext context)
    {
        var remainingMs = context.Deadline - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var (id, answer) = Begin(Stopwatch.GetTimestamp() + remainingMs * Stopwatch.Frequency / 1000, $"{to}.{method}");
        if (!await peer.SendAsync(new CallMessage(id, peer.Name, to, method, parameters, context)))
            End(id, ConnectionGone(peer));
        return await answer;
    }

    /// <summary>Books a call due in <paramref name="timeout"/> and writes the frame <paramref name="build"/> makes for its id as it is (a malformed CALL).</summary>
    public async Task<ResponseMessage?> SendAsync(ChaosPeer peer, Func<string, byte[]> build, TimeSpan timeout)
    {
        var (id, answer) = Begin(Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency), "a malformed CALL");
        if (!await peer.SendAsync(build(id)))
            End(id, ConnectionGone(peer));
        return await answer;
    }

    /// <summary>Matches a RESPONSE to its call; <paramref name="history"/> is what its connection read lately.</summary>
    public void Answer(ResponseMessage response, ReadHistory history)
    {
        var now = Stopwatch.GetTimestamp();
        if (!TrySequence(response.Id, out var sequence))
        {
            _ledger.Stray($"{_owner} got a RESPONSE for id {response.Id}");
            return;
        }

        Pending? pending;
        bool duplicate;
        lock (_gate)
        {
            duplicate = !_pending.Remove(sequence, out pending) && sequence < _next && IsAnswered(sequence);
            if (pending is not null)
                _answered[(int)(sequence >> 6)] |= 1UL << (int)(sequence & 63);
        }

        if (pending is null)
        {
            if (duplicate) _ledger.Duplicated($"{_owner} got a second RESPONSE for {response.Id}");
            else _ledger.Stray($"{_owner} got a RESPONSE for id {response.Id}, not a call in flight");
            return;
        }

        var outcome = response.Status == ResponseStatus.Success ? ChaosLedger.Success : response.Error?.Code ?? "(error without code)";
        _ledger.Answered(outcome, _expected.Contains(outcome), Stopwatch.GetElapsedTime(pending.Deadline, now).TotalMilliseconds,
            _judgesLateness, $"{_owner} -> {pending.What}", history.BytesSince(pending.Deadline));
        pending.Answer.TrySetResult(response);
    }

    /// <summary>
    /// Ends every call in flight with <paramref name="outcome"/>: the connection they went out on
    /// is gone, so no answer can come (CONNECTION_LOST when this side closed it on purpose).
    /// </summary>
    public void Abandon(string outcome)
    {
        foreach (var pending in TakeAll())
        {
            _ledger.Answered(outcome, _expected.Contains(outcome), 0, judged: false, _owner);
            pending.Answer.TrySetResult(null);
        }
    }

    /// <summary>The outcome of a call whose connection went: CONNECTION_LOST when this side closed it on purpose, else <see cref="CallerConnectionDropped"/>.</summary>
    public static string ConnectionGone(ChaosPeer peer) => peer.ClosedHere ? ErrorCodes.ConnectionLost : CallerConnectionDropped;

    /// <summary>The outcome of calls whose caller's connection the gateway closed: never expected.</summary>
    public const string CallerConnectionDropped = "CALLER_CONNECTION_DROPPED";

    /// <summary>Ends every call in flight as lost (the run has waited past every deadline).</summary>
    public void LoseRemaining()
    {
        var remaining = TakeAll();
        if (remaining.Count > 0)
            _ledger.Lost(remaining.Count, _owner);
        foreach (var pending in remaining)
            pending.Answer.TrySetResult(null);
    }

    /// <summary>Ends one call, if still in flight, with <paramref name="outcome"/> (its write failed).</summary>
    private void End(string id, string outcome)
    {
        if (!TrySequence(id, out var sequence))
            return;
        Pending? pending;
        lock (_gate)
        {
            if (!_pending.Remove(sequence, out pending))
                return;
            _answered[(int)(sequence >> 6)] |= 1UL << (int)(sequence & 63);
        }

        _ledger.Answered(outcome, _expected.Contains(outcome), 0, judged: false, _owner);
        pending.Answer.TrySetResult(null);
    }

    private List<Pending> TakeAll()
    {
        lock (_gate)
        {
            var all = _pending.Values.ToList();
            foreach (var sequence in _pending.Keys)
                _answered[(int)(sequence >> 6)] |= 1UL << (int)(sequence & 63);
            _pending.Clear();
            return all;
        }
    }

    private bool IsAnswered(long sequence) => (_answered[(int)(sequence >> 6)] & (1UL << (int)(sequence & 63))) != 0;

    private bool TrySequence(string id, out long sequence)
    {
        sequence = -1;
        return id.Length > _owner.Length + 1 && id.StartsWith(_owner, StringComparison.Ordinal) && id[_owner.Length] == '-'
            && long.TryParse(id.AsSpan(_owner.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out sequence);
    }

    private sealed record Pending(long Deadline, string What, TaskCompletionSource<ResponseMessage?> Answer);
}
