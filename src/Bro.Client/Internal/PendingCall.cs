using Bro.Protocol;

namespace Bro.Client.Internal;

/// <summary>One call waiting for its response; see <see cref="PendingCalls"/>.</summary>
internal sealed class PendingCall : IDisposable
{
    private readonly PendingCalls _owner;
    private readonly string _target;
    private readonly string _method;
    private readonly TimeSpan _timeout;
    private CancellationTokenRegistration _registration;

    /// <summary>Creates the entry of <paramref name="owner"/>; <see cref="Watch"/> links the caller's token.</summary>
    public PendingCall(PendingCalls owner, string id, int poolIndex, string target, string method, TimeSpan timeout)
    {
        _owner = owner;
        Id = id;
        PoolIndex = poolIndex;
        _target = target;
        _method = method;
        _timeout = timeout;
        Deadline = Environment.TickCount64 + (long)Math.Ceiling(timeout.TotalMilliseconds);
    }

    /// <summary>The request id.</summary>
    public string Id { get; }

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
        ErrorCodes.Timeout, $"Request to {_target}.{_method} timed out after {(long)_timeout.TotalMilliseconds}ms");

    /// <summary>Cancels the call when <paramref name="cancellationToken"/> fires (a token that cannot fire costs nothing).</summary>
    public void Watch(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
            _registration = cancellationToken.UnsafeRegister(
                static (state, token) => ((PendingCall)state!).Cancelled(token), this);
    }

    /// <summary>
    /// Releases the registration, and removes the entry if nobody claimed it; called by the caller
    /// when it leaves the call, however it leaves (answered, or thrown out of the write).
    /// </summary>
    /// <remarks>
    /// The caller's token cancels both the write it waits in and this call, and runs their
    /// callbacks one after the other: the write's completes first and may resume the caller on
    /// another thread, which disposes the registration before this call's callback removed the
    /// entry. Disposing a registration waits for its callback only when that callback is already
    /// running, so a callback not yet started never runs: hence the removal here, after which no
    /// callback can claim the entry any more.
    /// </remarks>
    public void Dispose()
    {
        _registration.Dispose();
        _owner.Release(this);
    }

    private void Cancelled(CancellationToken token) => _owner.Cancel(this, token);
}
