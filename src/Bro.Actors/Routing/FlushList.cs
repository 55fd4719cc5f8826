namespace Bro.Routing;

/// <summary>
/// The endpoints a batch of frames wrote to, each listed once, so that the batch ends with one
/// flush (one socket write) per endpoint however many frames it queued there: the NATS read
/// loop's "pending clients to flush". One per reader; not thread-safe.
/// </summary>
internal sealed class FlushList
{
    private static long _lastStamp;

    private readonly List<CallEndpoint> _endpoints = [];
    private long _stamp = Interlocked.Increment(ref _lastStamp);

    /// <summary>Lists <paramref name="endpoint"/> for the next <see cref="FlushAll"/>.</summary>
    public void Add(CallEndpoint endpoint)
    {
        if (endpoint.FlushStamp == _stamp)
            return;
        endpoint.FlushStamp = _stamp;
        _endpoints.Add(endpoint);
    }

    /// <summary>Flushes every listed endpoint and starts a new batch.</summary>
    public void FlushAll()
    {
        if (_endpoints.Count == 0)
            return;
        foreach (var endpoint in _endpoints)
            endpoint.Flush();
        _endpoints.Clear();
        _stamp = Interlocked.Increment(ref _lastStamp);
    }
}
