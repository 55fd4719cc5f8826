namespace Bro.Routing;

/// <summary>
/// The wire ids of calls a target connection was given and the gateway then finished without
/// its answer (the deadline passed, the caller left). The target may still answer one late; as
/// long as its id is remembered here, a newer call is not given that id, so the late RESPONSE
/// finds no call and is dropped instead of answering someone else's call.
/// </summary>
/// <remarks>
/// The most recent <c>capacity</c> ids are kept, so a target that never answers costs a bounded
/// amount; an id is forgotten when its late answer arrives. Not thread-safe: its endpoint uses it
/// under its own lock.
/// </remarks>
internal sealed class AbandonedIds(int capacity)
{
    private readonly Dictionary<string, long> _ids = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, long Stamp)> _order = new();
    private long _stamp;

    /// <summary>Whether a late answer to <paramref name="wireId"/> may still come.</summary>
    public bool Contains(string wireId) => _ids.ContainsKey(wireId);

    /// <summary>Remembers <paramref name="wireId"/>, forgetting the oldest past the capacity.</summary>
    public void Add(string wireId)
    {
        var stamp = ++_stamp;
        _ids[wireId] = stamp;
        _order.Enqueue((wireId, stamp));
        while (_order.Count > capacity)
        {
            var (oldest, oldestStamp) = _order.Dequeue();
            // Only the entry that stamp wrote: the same id may have been abandoned again since.
            if (_ids.TryGetValue(oldest, out var current) && current == oldestStamp)
                _ids.Remove(oldest);
        }
    }

    /// <summary>The late answer to <paramref name="wireId"/> came: the id is free again.</summary>
    public void Forget(string wireId) => _ids.Remove(wireId);
}
