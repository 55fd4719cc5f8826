namespace Bro.Protocol;

/// <summary>Exponential backoff for reconnection attempts.</summary>
public static class Backoff
{
    /// <summary>The default upper bound of a delay: 30 seconds.</summary>
    public static readonly TimeSpan DefaultCap = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <paramref name="baseDelay"/> × 2^<paramref name="attempt"/> (attempt 0 gives the base),
    /// capped at <paramref name="cap"/> (default 30 s). Never overflows, however large the attempt.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">For a negative attempt or delay.</exception>
    public static TimeSpan Delay(int attempt, TimeSpan baseDelay, TimeSpan? cap = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        ArgumentOutOfRangeException.ThrowIfLessThan(baseDelay, TimeSpan.Zero);
        var limit = cap ?? DefaultCap;

        // Doubling in floating point cannot overflow (2^64 keeps 0 × 2^n finite); TimeSpan arithmetic could.
        var ticks = baseDelay.Ticks * Math.Pow(2, Math.Min(attempt, 64));
        return ticks >= limit.Ticks ? limit : TimeSpan.FromTicks((long)ticks);
    }
}
