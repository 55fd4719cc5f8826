using System.Collections.Concurrent;
using Bro.Protocol;

namespace Bro.Client.Internal;

/// <summary>
/// Calls sent and waiting for their RESPONSE, by request id (the nats.net RequestManager model).
/// </summary>
/// <remarks>
/// Whoever removes an entry from the dictionary owns its completion: the response reader, the
/// timeout callback, the connection-loss sweep and the failed write all race through
/// <see cref="ConcurrentDictionary{TKey,TValue}.TryRemove(TKey, out TValue)"/>, so exactly one
/// of them completes the task. The caller disposes its <see cref="PendingCall"/> when it leaves
/// the call on any path (answered, failed, cancelled in or after its write): the timer and the
/// cancellation registration are released there, never from inside their own callbacks, and an
/// entry nobody claimed is removed there, so no entry outlives its call.
/// </remarks>
internal sealed class PendingCalls
{
    private readonly ConcurrentDictionary<string, PendingCall> _calls = new(StringComparer.Ordinal);

    /// <summary>Number of calls waiting.</summary>
    public int Count => _calls.Count;

    /// <summary>
    /// Adds a call. Its task fails with TIMEOUT after <paramref name="timeout"/> and is cancelled
    /// when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public PendingCall Add(string id, int poolIndex, string target, string method, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var call = new PendingCall(this, id, poolIndex);
        if (!_calls.TryAdd(id, call))
            throw new BroException(ErrorCodes.InternalError, $"Request id '{id}' is already pending");

        // Registered after the entry is visible: a timer firing at once still finds it.
        call.Start(target, method, timeout, cancellationToken);
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
        beforeCompletion?.Invoke(response);
        call.Completion.TrySetResult(response);
        return true;
    }

    /// <summary>Fails the call with id <paramref name="id"/>; <c>false</c> if none waits.</summary>
    public bool TryFail(string id, Exception error)
    {
        if (!_calls.TryRemove(id, out var call))
            return false;
        call.Completion.TrySetException(error);
        return true;
    }

    /// <summary>Cancels the call with id <paramref name="id"/> (its caller gave up).</summary>
    public void TryCancel(string id, CancellationToken token)
    {
        if (_calls.TryRemove(id, out var call))
            call.Completion.TrySetCanceled(token);
    }

    /// <summary>Removes <paramref name="call"/> if it is still pending and cancels it (its caller left).</summary>
    public void Release(PendingCall call)
    {
        // By key and value: only this call's own entry goes, whatever else its id might name.
        if (_calls.TryRemove(KeyValuePair.Create(call.Id, call)))
            call.Completion.TrySetCanceled();
    }

    /// <summary>Fails every call sent on pooled connection <paramref name="poolIndex"/> (or all, when <c>null</c>).</summary>
    /// <returns>How many calls were failed.</returns>
    public int FailAll(int? poolIndex, Func<BroException> error)
    {
        var failed = 0;

        // Enumerating a ConcurrentDictionary is safe while others add and remove; a call added
        // after the sweep passed it is caught by its own failed write (the connection's channel
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
}
