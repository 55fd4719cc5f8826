using System.Collections.Concurrent;
using System.Diagnostics;
using Bro.Client.Telemetry;
using Bro.Protocol;

namespace Bro.Client.Internal;

/// <summary>
/// Calls sent and waiting for their RESPONSE, by request id (the nats.net RequestManager model).
/// </summary>
/// <remarks>
/// <para>Whoever removes an entry from the dictionary owns its completion: the response reader,
/// the timeout sweep, the caller's token, the connection-loss sweep and the failed write all
/// race through <c>TryRemove</c>, so exactly one of them completes the task, after releasing
/// the caller's token registration (<see cref="PendingCall.Claimed"/>). Every entry is claimed
/// in the end (at the latest by its timeout), so a caller whose CALL was sent only awaits its
/// task; one leaving before its CALL was sent (a write failed or cancelled) disposes its
/// <see cref="PendingCall"/>, which removes an entry nobody claimed, so no entry outlives its
/// call.</para>
/// <para>Timeouts: one timer per client sweeps the entries for expired deadlines, running only
/// while calls are pending, instead of a timer per call (a timer, a token source and a
/// registration per call cost more than the rest of the call's bookkeeping). It ticks at a tenth
/// of the shortest timeout pending, between 5 and 100 ms, so a call fails with TIMEOUT at most
/// that much after its timeout.</para>
/// <para>Metrics: the one who claims an entry also records how the call ended
/// (<see cref="ClientInstruments"/>), when a listener wanted it measured as it started.</para>
/// </remarks>
internal sealed class PendingCalls
{
    private const long MinTickMs = 5;
    private const long MaxTickMs = 100;

    private readonly ConcurrentDictionary<string, PendingCall> _calls = new(StringComparer.Ordinal);
    private readonly Timer _sweep;
    private readonly object _timerGate = new();
    private readonly string _client;
    private long _tickMs;

    /// <summary>Creates an empty table; its timer runs only while calls are pending.</summary>
    /// <param name="client">The calling client's service name, which its call metrics carry.</param>
    public PendingCalls(string client)
    {
        _client = client;
        _sweep = new Timer(static state => ((PendingCalls)state!).Sweep(), this, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>
    /// Called with a call cancelled by a token while it was pending (after its task was
    /// cancelled), so the callee can be told; <c>null</c> tells nobody.
    /// </summary>
    public Action<PendingCall>? Cancelled { get; init; }

    /// <summary>Number of calls waiting.</summary>
    public int Count => _calls.Count;

    /// <summary>
    /// Adds a call. Its task fails with TIMEOUT after <paramref name="timeout"/> and is cancelled
    /// when <paramref name="cancellationToken"/> or <paramref name="inherited"/> (the token of
    /// the handler making the call, if any) fires.
    /// </summary>
    public PendingCall Add(string id, int poolIndex, string target, string method, TimeSpan timeout, CancellationToken cancellationToken,
        CancellationToken inherited = default)
    {
        var startedAt = ClientInstruments.MeasuresCalls ? Stopwatch.GetTimestamp() : 0;
        var call = new PendingCall(this, id, poolIndex, target, method, timeout, startedAt);
        call.Watch(cancellationToken, inherited);
        if (!_calls.TryAdd(id, call))
        {
            call.Claimed();
            throw new BroException(ErrorCodes.InternalError, $"Request id '{id}' is already pending");
        }

        // Armed after the entry is visible: a sweep running at once finds it. A token that
        // fired before the entry was visible found nothing to cancel: cancelled here instead.
        Arm((long)timeout.TotalMilliseconds / 10);
        // Not sent yet, so nobody is told: the caller sees the task cancelled and sends nothing.
        if (cancellationToken.IsCancellationRequested)
            Cancel(call, cancellationToken, sent: false);
        else if (inherited.IsCancellationRequested)
            Cancel(call, inherited, sent: false);
        return call;
    }

    /// <summary>Completes the call <paramref name="response"/> answers; <c>false</c> if none waits.</summary>
    /// <param name="response">The response.</param>
    /// <param name="beforeCompletion">Runs after the entry is claimed and before its caller resumes
    /// (so observers of the response see it no later than the caller does).</param>
    public bool TryComplete(ResponseMessage response, Action<ResponseMessage>? beforeCompletion = null)
    {
        if (!_calls.TryRemove(response.Id, out var call))
            return false;
        call.Claimed();
        var timedOut = IsOwnDeadline(response, call);
        Ended(call, timedOut ? ErrorCodes.Timeout
            : response.Status == ResponseStatus.Error ? response.Error?.Code ?? ErrorCodes.ExecutionFailed : ClientMeter.Success);
        beforeCompletion?.Invoke(response);
        if (timedOut)
            call.Completion.TrySetException(call.TimedOut());
        else
            call.Completion.TrySetResult(response);
        return true;
    }

    /// <summary>
    /// Whether <paramref name="response"/> is DEADLINE_EXCEEDED for the very deadline the sweep
    /// keeps for <paramref name="call"/>: the gateway's alarm and this client's sweep watch the
    /// same instant, and which of them is first is a race; the caller gets TIMEOUT either way.
    /// Within the sweep's finest tick of it, as the two clocks round differently. A deadline the
    /// gateway cut shorter (its request-timeout) stays DEADLINE_EXCEEDED.
    /// </summary>
    private static bool IsOwnDeadline(ResponseMessage response, PendingCall call) =>
        response.Status == ResponseStatus.Error && response.Error?.Code == ErrorCodes.DeadlineExceeded
        && Environment.TickCount64 >= call.Deadline - MinTickMs;

    /// <summary>Fails the call with id <paramref name="id"/>; <c>false</c> if none waits.</summary>
    public bool TryFail(string id, Exception error)
    {
        if (!_calls.TryRemove(id, out var call))
            return false;
        call.Claimed();
        Ended(call, (error as BroException)?.Code ?? ErrorCodes.InternalError);
        call.Completion.TrySetException(error);
        return true;
    }

    /// <summary>Cancels <paramref name="call"/> if it is still pending (its caller's token fired).</summary>
    public void Cancel(PendingCall call, CancellationToken token) => Cancel(call, token, sent: true);

    private void Cancel(PendingCall call, CancellationToken token, bool sent)
    {
        if (!_calls.TryRemove(KeyValuePair.Create(call.Id, call)))
            return;
        call.Claimed();
        Ended(call, ClientMeter.Cancelled);
        call.Completion.TrySetCanceled(token);
        if (sent)
            Cancelled?.Invoke(call);
    }

    /// <summary>Removes <paramref name="call"/> if it is still pending and cancels it (its caller left).</summary>
    public void Release(PendingCall call)
    {
        // By key and value: only this call's own entry goes, whatever else its id might name.
        if (!_calls.TryRemove(KeyValuePair.Create(call.Id, call)))
            return;
        call.Claimed();
        Ended(call, ClientMeter.Cancelled);
        call.Completion.TrySetCanceled();
    }

    /// <summary>The calls pending on pooled connection <paramref name="poolIndex"/>, at the moment of enumeration.</summary>
    public IEnumerable<PendingCall> On(int poolIndex)
    {
        foreach (var (_, call) in _calls)
        {
            if (call.PoolIndex == poolIndex)
                yield return call;
        }
    }

    /// <summary>Fails every call sent on pooled connection <paramref name="poolIndex"/> (or all, when <c>null</c>).</summary>
    /// <returns>How many calls were failed.</returns>
    public int FailAll(int? poolIndex, Func<BroException> error)
    {
        var failed = 0;

        // Enumerating a ConcurrentDictionary is safe while others add and remove; a call added
        // after the sweep passed it is caught by its own failed write (the connection's queue
        // is completed before the sweep starts).
        foreach (var (id, call) in _calls)
        {
            if (poolIndex is { } index && call.PoolIndex != index)
                continue;
            if (TryFail(id, error()))
                failed++;
        }

        return failed;
    }

    private void Ended(PendingCall call, string outcome)
    {
        if (call.StartedAt != 0)
            ClientInstruments.CallEnded(_client, call.Target, call.Method, outcome, call.StartedAt);
    }

    /// <summary>Makes the timer tick at most every <paramref name="tickMs"/> (clamped) while calls are pending.</summary>
    private void Arm(long tickMs)
    {
        tickMs = Math.Clamp(tickMs, MinTickMs, MaxTickMs);
        // Read without the lock first: almost every call finds the timer ticking fast enough.
        if (Volatile.Read(ref _tickMs) is var current && current != 0 && current <= tickMs)
            return;
        lock (_timerGate)
        {
            if (_tickMs != 0 && _tickMs <= tickMs)
                return;
            _tickMs = tickMs;
            _sweep.Change(tickMs, tickMs);
        }
    }

    private void Sweep()
    {
        var now = Environment.TickCount64;
        foreach (var (id, call) in _calls)
        {
            if (call.Deadline > now || !_calls.TryRemove(KeyValuePair.Create(id, call)))
                continue;
            call.Claimed();
            Ended(call, ErrorCodes.Timeout);
            call.Completion.TrySetException(call.TimedOut());
        }

        if (!_calls.IsEmpty)
            return;
        lock (_timerGate)
        {
            _tickMs = 0;
            _sweep.Change(Timeout.Infinite, Timeout.Infinite);
        }

        // A call added after the emptiness check found the timer still armed and did not arm it.
        if (!_calls.IsEmpty)
            Arm(MaxTickMs);
    }
}
