namespace Bro.Actors.Tests.Support;

/// <summary>A clock that moves only when a test says so.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    /// <summary>A clock at the epoch-ms instant <paramref name="epochMilliseconds"/>.</summary>
    public ManualTimeProvider(long epochMilliseconds) : this(DateTimeOffset.FromUnixTimeMilliseconds(epochMilliseconds))
    {
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Moves the clock forward.</summary>
    public void Advance(TimeSpan by) => _now += by;
}
