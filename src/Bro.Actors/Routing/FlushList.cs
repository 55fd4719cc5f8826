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

    /// <summary>
    /// Flushes every listed endpoint and starts a new batch. Returns <c>null</c>, or a task to
    /// wait on before reading more when an endpoint written to is full (flow control: see
    /// <see cref="CallEndpoint.WhenWritable"/>). Actor threads flush and never wait.
    /// </summary>
    public Task? FlushAll()
    {
        if (_endpoints.Count == 0)
            return null;
        Task? wait = null;
        List<Task>? waits = null;
        foreach (var endpoint in _endpoints)
        {
            endpoint.Flush();
            if (endpoint.WhenWritable() is not { } full)
                continue;
            if (wait is null) wait = full;
            else (waits ??= [wait]).Add(full);
        }

        _endpoints.Clear();
        _stamp = Interlocked.Increment(ref _lastStamp);
        return waits is null ? wait : Task.WhenAll(waits);
    }
}
