using Akka.Actor;

namespace Bro.Actors.Tests.Support;

/// <summary>
/// An Akka <see cref="ITimeProvider"/> that moves only when a test says so: the clock of the
/// data-plane specs, which run no scheduler. Thread-safe.
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : ITimeProvider
{
    private long _ticks = start.UtcTicks;

    /// <summary>A clock at a fixed, arbitrary instant (2024-01-01T00:00:00Z).</summary>
    public ManualClock() : this(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <inheritdoc />
    public DateTimeOffset Now => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    /// <summary>The clock, epoch milliseconds.</summary>
    public long NowMs => Now.ToUnixTimeMilliseconds();

    /// <inheritdoc />
    public TimeSpan MonotonicClock => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    /// <inheritdoc />
    public TimeSpan HighResMonotonicClock => MonotonicClock;

    /// <summary>Moves the clock forward.</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
