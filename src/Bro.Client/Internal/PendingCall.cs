using Bro.Protocol;

namespace Bro.Client.Internal;

/// <summary>One call waiting for its response; see <see cref="PendingCalls"/>.</summary>
internal sealed class PendingCall : IDisposable
{
    private readonly PendingCalls _owner;
    private readonly TimeSpan _timeout;
    private CancellationTokenRegistration _registration;
    private CancellationTokenRegistration _inheritedRegistration;

    /// <summary>Creates the entry of <paramref name="owner"/>; <see cref="Watch"/> links the caller's token.</summary>
    public PendingCall(PendingCalls owner, string id, int poolIndex, string target, string method, TimeSpan timeout, long startedAt)
    {
        _owner = owner;
        Id = id;
        PoolIndex = poolIndex;
        Target = target;
        Method = method;
        _timeout = timeout;
        StartedAt = startedAt;
        Deadline = Environment.TickCount64 + (long)Math.Ceiling(timeout.TotalMilliseconds);
    }

    /// <summary>The request id.</summary>
    public string Id { get; }

    /// <summary>The service called.</summary>
    public string Target { get; }

    /// <summary>The method called.</summary>
    public string Method { get; }

    /// <summary>
    /// When the call started (<see cref="System.Diagnostics.Stopwatch"/> timestamp), for the call
    /// metrics; 0 when no listener wanted them, so an unobserved call reads no clock.
    /// </summary>
    public long StartedAt { get; }

    /// <summary>The pooled connection the CALL was written to.</summary>
    public int PoolIndex { get; }

    /// <summary>When the call times out, in <see cref="Environment.TickCount64"/> milliseconds.</summary>
    public long Deadline { get; }

    /// <summary>Completed with the RESPONSE, or failed (timeout, connection loss, gateway ERROR).</summary>
    public TaskCompletionSource<ResponseMessage> Completion { get; } =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The task the caller awaits.</summary>
    public Task<ResponseMessage> Task => Completion.Task;

    /// <summary>The error a call that timed out fails with.</summary>
    public BroException TimedOut() => new(
        ErrorCodes.Timeout, $"Request to {Target}.{Method} timed out after {(long)_timeout.TotalMilliseconds}ms");

    /// <summary>
    /// Cancels the call when <paramref name="cancellationToken"/> or <paramref name="inherited"/>
    /// (the token of the handler making the call) fires; a token that cannot fire costs nothing.
    /// Called before the entry is visible, so that whoever claims it finds the registrations to release.
    /// </summary>
    public void Watch(CancellationToken cancellationToken, CancellationToken inherited = default)
    {
        if (cancellationToken.CanBeCanceled)
            _registration = cancellationToken.UnsafeRegister(
                static (state, token) => ((PendingCall)state!).Cancelled(token), this);
        if (inherited.CanBeCanceled)
            _inheritedRegistration = inherited.UnsafeRegister(
                static (state, token) => ((PendingCall)state!).Cancelled(token), this);
    }

    /// <summary>
    /// Releases the token's registration; called by whoever removed the entry, before completing
    /// it, so a long-lived token does not collect one registration per call. From inside the
    /// token's own callback this does not wait for itself.
    /// </summary>
    public void Claimed()
    {
        _registration.Dispose();
        _inheritedRegistration.Dispose();
    }

    /// <summary>
    /// Removes the entry if nobody claimed it; called by a caller leaving the call before it was
    /// sent (its write failed or was cancelled).
    /// </summary>
    /// <remarks>
    /// The caller's token cancels both the write it waits in and this call, and runs their
    /// callbacks one after the other: the write's completes first and may resume the caller on
    /// another thread before this call's callback removed the entry. Removing it here means no
    /// entry outlives a call that was never sent, whichever callback runs first.
    /// </remarks>
    public void Dispose() => _owner.Release(this);

    private void Cancelled(CancellationToken token) => _owner.Cancel(this, token);
}
