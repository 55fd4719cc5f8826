using Akka.Event;

namespace Bro.Connection.Internal;

/// <summary>
/// A warning that a stranger can trigger at will (a refused connection), logged at most once per
/// interval: the lines in between are counted, and the count is told with the next line logged,
/// so a flood of connects cannot fill the disk through the gateway's log.
/// </summary>
/// <remarks>Not thread-safe: used by one actor.</remarks>
internal sealed class ThrottledWarning(ILoggingAdapter log, TimeSpan interval)
{
    private readonly long _intervalMs = (long)interval.TotalMilliseconds;
    private long _nextAtMs = long.MinValue;
    private int _suppressed;

    /// <summary>Logs <paramref name="message"/> unless a line was logged less than the interval before <paramref name="nowMs"/>.</summary>
    public void Warn(string message, long nowMs)
    {
        if (nowMs < _nextAtMs)
        {
            _suppressed++;
            return;
        }

        if (_suppressed == 0)
            log.Warning("{0}", message);
        else
            log.Warning("{0} ({1} more like it since the last one logged)", message, _suppressed);
        _suppressed = 0;
        _nextAtMs = nowMs + _intervalMs;
    }
}
