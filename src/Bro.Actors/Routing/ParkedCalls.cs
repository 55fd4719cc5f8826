using Bro.Protocol;

namespace Bro.Routing;

/// <summary>
/// CALLs to services that are not registered yet, held for the registration grace: a caller
/// that starts beside its callee (ipc-bro's pooled client calls before its REGISTERs are
/// acknowledged) does not fail because it won a race by a few milliseconds.
/// </summary>
/// <remarks>
/// <para>Order: a caller's CALLs to one service reach it in the order they were sent. While
/// any call to a service waits here, later CALLs to it wait behind it even if its route has
/// appeared, and <see cref="Release"/> routes the waiting calls while holding the lock, so a
/// CALL that finds the route cannot overtake them. The lock is taken before endpoint locks,
/// never after: there is no lock order to break.</para>
/// <para>Cost: nothing on the hot path while nothing waits (<see cref="IsEmpty"/> is one
/// volatile read). What one caller can park is capped by its calls-in-flight cap and its
/// outbound-queue-limit in bytes; past that its CALLs to unknown services fail at once.</para>
/// </remarks>
internal sealed class ParkedCalls(RouteTable routes, int maxCallsPerCaller, long maxBytesPerCaller)
{
    /// <summary>What <see cref="TryPark"/> did.</summary>
    public enum Outcome
    {
        /// <summary>The call waits for its target.</summary>
        Parked,

        /// <summary>The target is registered and nothing waits for it: route the call now.</summary>
        RouteNow,

        /// <summary>The caller has as many calls waiting as it may: the call is not found.</summary>
        Full,
    }

    private readonly object _gate = new();
    private readonly Dictionary<string, List<ParkedCall>> _byService = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>True while no call waits; read without the lock.</summary>
    public bool IsEmpty => Volatile.Read(ref _count) == 0;

    /// <summary>
    /// Parks a CALL whose target has no route, or whose target has calls waiting ahead of it.
    /// </summary>
    public Outcome TryPark(CallEndpoint caller, in FrameHeader header, ReadOnlySpan<byte> frame, long waitsUntil)
    {
        var to = header.To!;
        lock (_gate)
        {
            var waiting = _byService.TryGetValue(to, out var list);
            if (!waiting && routes.TryGet(to, out _))
                return Outcome.RouteNow;
            if (caller.ParkedCount >= maxCallsPerCaller || caller.ParkedBytes + frame.Length > maxBytesPerCaller)
                return Outcome.Full;

            if (!waiting)
                _byService[to] = list = [];
            list!.Add(new ParkedCall(caller, header, frame.ToArray(), waitsUntil));
            caller.ParkedCount++;
            caller.ParkedBytes += frame.Length;
            _count++;
            return Outcome.Parked;
        }
    }

    /// <summary>
    /// Hands every call waiting for <paramref name="service"/>, in arrival order, to
    /// <paramref name="route"/>, holding the lock meanwhile (see the remarks on order).
    /// </summary>
    public void Release(string service, Action<ParkedCall> route)
    {
        lock (_gate)
        {
            if (!_byService.Remove(service, out var list))
                return;
            foreach (var call in list)
                Forget(call);
            foreach (var call in list)
                route(call);
        }
    }

    /// <summary>
    /// Moves the calls whose wait ended at or before <paramref name="now"/> into
    /// <paramref name="ended"/>; returns when the next wait ends (<see cref="long.MaxValue"/> for none).
    /// </summary>
    public long TakeEnded(long now, List<ParkedCall> ended)
    {
        var next = long.MaxValue;
        lock (_gate)
        {
            foreach (var (service, list) in _byService)
            {
                var first = ended.Count;
                list.RemoveAll(call =>
                {
                    if (call.WaitsUntil > now)
                    {
                        next = Math.Min(next, call.WaitsUntil);
                        return false;
                    }

                    ended.Add(call);
                    return true;
                });
                for (var i = first; i < ended.Count; i++)
                    Forget(ended[i]);
                if (list.Count == 0)
                    _byService.Remove(service);
            }
        }

        return next;
    }

    /// <summary>Drops every call <paramref name="caller"/> parked (it is gone: nobody to answer).</summary>
    public void Drop(CallEndpoint caller)
    {
        if (IsEmpty)
            return;
        lock (_gate)
        {
            foreach (var (service, list) in _byService)
            {
                list.RemoveAll(call =>
                {
                    if (!ReferenceEquals(call.Caller, caller))
                        return false;
                    Forget(call);
                    return true;
                });
                if (list.Count == 0)
                    _byService.Remove(service);
            }
        }
    }

    /// <summary>
    /// Drops the call <paramref name="caller"/> parked under <paramref name="id"/> (its caller
    /// cancelled it: nobody waits for an answer); false when no such call waits.
    /// </summary>
    public bool Remove(CallEndpoint caller, string id)
    {
        if (IsEmpty)
            return false;
        lock (_gate)
        {
            foreach (var (service, list) in _byService)
            {
                var index = list.FindIndex(call => ReferenceEquals(call.Caller, caller) && call.Header.Id == id);
                if (index < 0)
                    continue;
                Forget(list[index]);
                list.RemoveAt(index);
                if (list.Count == 0)
                    _byService.Remove(service);
                return true;
            }
        }

        return false;
    }

    /// <summary>Takes every waiting call (the gateway is stopping).</summary>
    public List<ParkedCall> TakeAll()
    {
        lock (_gate)
        {
            List<ParkedCall> all = [.. _byService.Values.SelectMany(list => list)];
            foreach (var call in all)
                Forget(call);
            _byService.Clear();
            return all;
        }
    }

    private void Forget(ParkedCall call)
    {
        call.Caller.ParkedCount--;
        call.Caller.ParkedBytes -= call.Frame.Length;
        _count--;
    }
}
