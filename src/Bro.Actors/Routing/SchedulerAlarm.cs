using Akka.Actor;

namespace Bro.Routing;

/// <summary>
/// A <see cref="DeadlineAlarm"/> on an Akka scheduler: the one a gateway uses when it runs on
/// a clock other than the system's (a test's virtual TestScheduler), so the alarm follows that
/// clock.
/// </summary>
internal sealed class SchedulerAlarm(IScheduler scheduler) : DeadlineAlarm
{
    private ICancelable? _pending;

    /// <inheritdoc />
    /// <remarks>Runs under the base class's lock, so <c>_pending</c> needs no other.</remarks>
    protected override void Schedule(TimeSpan delay)
    {
        _pending?.Cancel();
        _pending = scheduler.Advanced.ScheduleOnceCancelable(delay, Ring);
    }

    /// <inheritdoc />
    public override void Dispose() => _pending?.Cancel();
}
