using System.Collections.Concurrent;

namespace Bro.Client.Internal;

/// <summary>
/// The CALLs one connection has received and not yet answered, by the id the gateway gave them,
/// so that the gateway's CANCEL finds the handler to stop. One per connection: ids are unique
/// per connection (the gateway rewrites a clashing one), not across a pool.
/// </summary>
internal sealed class HandledCalls
{
    private readonly ConcurrentDictionary<string, HandledCall> _calls = new(StringComparer.Ordinal);

    /// <summary>
    /// Records <paramref name="call"/>. An id already handled here (an <c>ipc-bro</c> gateway
    /// passes ids on as callers chose them, and sends no CANCEL) keeps the first entry.
    /// </summary>
    public void Add(HandledCall call) => _calls.TryAdd(call.Call.Id, call);

    /// <summary>Removes <paramref name="call"/>'s entry if it is still this very call.</summary>
    public void Remove(HandledCall call) => _calls.TryRemove(KeyValuePair.Create(call.Call.Id, call));

    /// <summary>The gateway abandoned call <paramref name="id"/>: its handler's token fires. False when none is handled.</summary>
    public bool Abandon(string id)
    {
        if (!_calls.TryGetValue(id, out var call))
            return false;
        call.Abandon();
        return true;
    }

    /// <summary>The connection closed: no handler's answer can reach its caller now, so every handler's token fires.</summary>
    public void AbandonAll()
    {
        foreach (var (_, call) in _calls)
            call.Abandon();
    }
}
