namespace Bro.Routing;

/// <summary>
/// Wakes the router when the earliest deadline it knows of comes due, so DEADLINE_EXCEEDED (and
/// the end of a registration grace) is answered within milliseconds of it rather than at the
/// next periodic sweep.
/// </summary>
/// <remarks>
/// One alarm for the whole router, set to the earliest due time: arming for a later time than
/// the one set costs one volatile read, which is the common case on the hot path (deadlines
/// mostly grow with arrival time). When it rings it forgets its time before the router sweeps,
/// so a call added during the sweep arms it again; the sweep then arms it for the earliest
/// deadline left.
/// </remarks>
internal abstract class DeadlineAlarm : IDisposable
{
    private readonly object _gate = new();
    private long _due = long.MaxValue;
    private Action? _ring;

    /// <summary>Sets what the alarm does when it rings; once, before the first <see cref="ArmAt"/>.</summary>
    public void OnRing(Action ring) => _ring = ring;

    /// <summary>Makes the alarm ring at <paramref name="dueMs"/> unless it is set to ring earlier.</summary>
    /// <param name="dueMs">When to ring, epoch milliseconds of the router's clock.</param>
    /// <param name="nowMs">The router's clock now.</param>
    public void ArmAt(long dueMs, long nowMs)
    {
        if (dueMs >= Volatile.Read(ref _due))
            return;

        lock (_gate)
        {
            if (dueMs >= _due)
                return;
            _due = dueMs;
            Schedule(TimeSpan.FromMilliseconds(Math.Max(0, dueMs - nowMs)));
        }
    }

    /// <summary>Called by the timer: forgets the due time, then has the router sweep.</summary>
    protected void Ring()
    {
        lock (_gate)
            _due = long.MaxValue;
        _ring?.Invoke();
    }

    /// <summary>Rings once after <paramref name="delay"/>, replacing any earlier schedule.</summary>
    protected abstract void Schedule(TimeSpan delay);

    /// <inheritdoc />
    public abstract void Dispose();
}
