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
    private readonly TimeSpan _impatientWait;
    private long _stamp = Interlocked.Increment(ref _lastStamp);

    /// <param name="impatientWait">The longest a reader waits for an endpoint it only sent CALLs
    /// to (congestion-timeout); readers on actor threads never wait and need none.</param>
    public FlushList(TimeSpan impatientWait = default) => _impatientWait = impatientWait;

    /// <summary>Lists <paramref name="endpoint"/> for the next <see cref="FlushAll"/>.</summary>
    public void Add(CallEndpoint endpoint)
    {
        if (endpoint.FlushStamp == _stamp)
            return;
        endpoint.FlushStamp = _stamp;
        _endpoints.Add(endpoint);
    }

    /// <summary>
    /// Lists an endpoint a RESPONSE was written to: a RESPONSE cannot be refused, so if the
    /// endpoint is full its writer waits until it drains (or is dropped as a slow consumer),
    /// however long, instead of piling answers up past the outbound limit.
    /// </summary>
    public void AddPatient(CallEndpoint endpoint)
    {
        endpoint.PatientStamp = _stamp;
        Add(endpoint);
    }

    /// <summary>
    /// Flushes every listed endpoint and starts a new batch. Returns <c>null</c>, or a task to
    /// wait on before reading more when an endpoint written to is full (flow control: see
    /// <see cref="CallEndpoint.WhenWritable"/>): until those written RESPONSEs drain, and those
    /// written only CALLs drain or the impatient wait passes (then CALLs to them are refused
    /// SERVICE_BUSY). Actor threads flush and never wait.
    /// </summary>
    public Task? FlushAll()
    {
        if (_endpoints.Count == 0)
            return null;
        List<Task>? patient = null, impatient = null;
        foreach (var endpoint in _endpoints)
        {
            endpoint.Flush();
            var isPatient = endpoint.PatientStamp == _stamp;
            if (endpoint.WhenWritable(isPatient) is not { } full)
                continue;
            (isPatient ? patient ??= [] : impatient ??= []).Add(full);
        }

        _endpoints.Clear();
        _stamp = Interlocked.Increment(ref _lastStamp);
        var bounded = impatient is null ? null : Task.WhenAny(All(impatient), Task.Delay(_impatientWait));
        return (patient, bounded) switch
        {
            (null, null) => null,
            (null, _) => bounded,
            (_, null) => All(patient),
            _ => Task.WhenAll(All(patient), bounded),
        };
    }

    private static Task All(List<Task> tasks) => tasks.Count == 1 ? tasks[0] : Task.WhenAll(tasks);
}
