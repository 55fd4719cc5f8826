namespace Bro.Bench;

/// <summary>
/// The chaos run's tally over every call any chaos peer made: outcomes by code, answers that
/// came twice or for no call, calls never answered, answers later than deadline + grace, and
/// samples of whatever was unexpected. Thread-safe; each <see cref="CallBook"/> reports here.
/// </summary>
internal sealed class ChaosLedger(TimeSpan grace)
{
    /// <summary>The outcome name of a success RESPONSE.</summary>
    public const string Success = "success";

    private const int MaxSamples = 25;
    private const int WorstKept = 8;

    /// <summary>
    /// Bytes of other frames a connection read between a call's deadline and its late answer for
    /// that answer to count as queued behind them (<see cref="ChaosTally.LateBehindBacklog"/>):
    /// one burst echo.
    /// </summary>
    public const long BacklogBytes = ChaosLoad.BurstBytes;

    private readonly object _gate = new();
    private readonly SortedDictionary<string, long> _outcomes = new(StringComparer.Ordinal);
    private readonly List<string> _samples = [];
    private readonly List<CallBook> _books = [];
    private readonly List<(double LateMs, string What)> _worst = [];
    private long _made;
    private long _duplicated;
    private long _strays;
    private long _lost;
    private long _late;
    private long _lateBehindBacklog;
    private long _unexpected;
    private long _judged;
    private double _worstLateMs;

    public TimeSpan Grace { get; } = grace;

    /// <summary>Calls made and not yet ended, over every book.</summary>
    public int InFlight
    {
        get
        {
            lock (_gate) return _books.Sum(b => b.InFlight);
        }
    }

    /// <summary>Called by each <see cref="CallBook"/> as it is made, so the end of the run reaches every call.</summary>
    public void Track(CallBook book)
    {
        lock (_gate) _books.Add(book);
    }

    /// <summary>Ends every call still in flight, in every book, as lost.</summary>
    public void LoseRemaining()
    {
        List<CallBook> books;
        lock (_gate) books = [.. _books];
        foreach (var book in books)
            book.LoseRemaining();
    }

    public void Made() => Interlocked.Increment(ref _made);

    /// <summary>
    /// Records one call's single outcome; <paramref name="lateMs"/> is answer time minus deadline,
    /// judged only when <paramref name="judged"/>; <paramref name="owner"/> names the call (caller, target, method);
    /// <paramref name="backlogBytes"/> is what the caller's connection read between the call's deadline and
    /// this answer: frames the gateway queued ahead of it (see <see cref="ReadHistory"/>).
    /// </summary>
    public void Answered(string outcome, bool expected, double lateMs, bool judged, string owner, long backlogBytes = 0)
    {
        lock (_gate)
        {
            _outcomes[outcome] = _outcomes.GetValueOrDefault(outcome) + 1;
            if (!expected)
            {
                _unexpected++;
                Sample($"{owner}: unexpected outcome {outcome}");
            }

            if (!judged)
                return;
            _judged++;
            _worstLateMs = Math.Max(_worstLateMs, lateMs);
            if (lateMs <= Grace.TotalMilliseconds)
                return;
            _late++;
            if (backlogBytes >= BacklogBytes)
                _lateBehindBacklog++;
            if (_worst.Count < WorstKept || lateMs > _worst[^1].LateMs)
            {
                _worst.Add((lateMs, $"{owner}: {outcome} {lateMs:N0} ms past its deadline, {backlogBytes / (1024.0 * 1024):N1} MiB read before it since its deadline"));
                _worst.Sort((a, b) => b.LateMs.CompareTo(a.LateMs));
                if (_worst.Count > WorstKept)
                    _worst.RemoveAt(WorstKept);
            }
        }
    }

    /// <summary>A second answer to a call already answered.</summary>
    public void Duplicated(string what)
    {
        lock (_gate)
        {
            _duplicated++;
            Sample($"duplicate: {what}");
        }
    }

    /// <summary>An answer whose id names no call its connection made.</summary>
    public void Stray(string what)
    {
        lock (_gate)
        {
            _strays++;
            Sample($"stray: {what}");
        }
    }

    /// <summary>Calls still unanswered when the run gave up waiting.</summary>
    public void Lost(long calls, string owner)
    {
        lock (_gate)
        {
            _lost += calls;
            Sample($"lost: {calls} calls of {owner} never answered");
        }
    }

    /// <summary>Something unexpected that is not a call's outcome (an ERROR frame to a caller, a frame that does not decode).</summary>
    public void Note(string what)
    {
        lock (_gate)
        {
            _unexpected++;
            Sample(what);
        }
    }

    public ChaosTally Snapshot()
    {
        lock (_gate)
        {
            return new ChaosTally(_made, new SortedDictionary<string, long>(_outcomes, StringComparer.Ordinal), _lost, _duplicated, _strays,
                _unexpected, _judged, _late, _lateBehindBacklog, Math.Max(0, _worstLateMs), [.. _worst.Select(w => w.What)], [.. _samples]);
        }
    }

    private void Sample(string what)
    {
        if (_samples.Count < MaxSamples)
            _samples.Add(what);
    }
}
