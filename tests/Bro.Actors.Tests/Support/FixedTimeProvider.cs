using Akka.Actor;

namespace Bro.Actors.Tests.Support;

/// <summary>
/// A wall clock stopped at one instant (the monotonic clocks still run), so frames recorded
/// with deadlines in the past can be replayed as they were.
/// </summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : ITimeProvider
{
    /// <inheritdoc />
    public DateTimeOffset Now => now;

    /// <inheritdoc />
    public TimeSpan MonotonicClock => TimeSpan.FromMilliseconds(Environment.TickCount64);

    /// <inheritdoc />
    public TimeSpan HighResMonotonicClock => MonotonicClock;
}
