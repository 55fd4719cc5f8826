namespace Bro.Routing;

/// <summary>
/// The <see cref="DeadlineAlarm"/> of a running gateway: one <see cref="Timer"/>, precise to a
/// millisecond or so, that costs nothing while no call is in flight.
/// </summary>
/// <remarks>
/// Not the Akka scheduler: it ticks every <c>akka.scheduler.tick-duration</c> (50 ms in the
/// <c>bro</c> console, where a finer tick cost 2-3% of a core while idle) and rounds every
/// timer up to a tick, which alone would break "within 50 ms of the deadline".
/// </remarks>
internal sealed class ThreadTimerAlarm : DeadlineAlarm
{
    private readonly Timer _timer;

    public ThreadTimerAlarm() => _timer = new Timer(static state => ((ThreadTimerAlarm)state!).Ring(), this, Timeout.Infinite, Timeout.Infinite);

    /// <inheritdoc />
    protected override void Schedule(TimeSpan delay) => _timer.Change(delay, Timeout.InfiniteTimeSpan);

    /// <inheritdoc />
    public override void Dispose() => _timer.Dispose();
}
