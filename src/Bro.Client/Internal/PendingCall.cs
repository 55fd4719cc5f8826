using Bro.Protocol;

namespace Bro.Client.Internal;

/// <summary>One call waiting for its response; see <see cref="PendingCalls"/>.</summary>
internal sealed class PendingCall : IDisposable
{
    private readonly PendingCalls _owner;
    private CancellationTokenSource? _timer;
    private CancellationTokenRegistration _registration;

    /// <summary>Creates the entry of <paramref name="owner"/>; <see cref="Start"/> arms its timeout.</summary>
    public PendingCall(PendingCalls owner, string id, int poolIndex)
    {
        _owner = owner;
        Id = id;
        PoolIndex = poolIndex;
    }

    /// <summary>The request id.</summary>
    public string Id { get; }

    /// <summary>The pooled connection the CALL was written to.</summary>
    public int PoolIndex { get; }

    /// <summary>Completed with the RESPONSE, or failed (timeout, connection loss, gateway ERROR).</summary>
    public TaskCompletionSource<ResponseMessage> Completion { get; } =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The task the caller awaits.</summary>
    public Task<ResponseMessage> Task => Completion.Task;

    /// <summary>Arms the timeout and links the caller's token.</summary>
    public void Start(string target, string method, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _timer = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : new CancellationTokenSource();
        var caller = cancellationToken;
        var owner = _owner;
        _registration = _timer.Token.Register(() =>
        {
            if (caller.IsCancellationRequested)
                owner.TryCancel(Id, caller);
            else
                owner.TryFail(Id, new BroException(
                    ErrorCodes.Timeout,
                    $"Request to {target}.{method} timed out after {(long)timeout.TotalMilliseconds}ms"));
        });
        _timer.CancelAfter(timeout);
    }

    /// <summary>
    /// Releases the timer and the registration, and removes the entry if nobody claimed it; called
    /// by the caller when it leaves the call, however it leaves (answered, or thrown out of the write).
    /// </summary>
    /// <remarks>
    /// The caller's token cancels both the write it waits in and this call's linked timer, and runs
    /// their callbacks one after the other: the write's completes first and may resume the caller
    /// on another thread, which disposes the registration before the timer's callback removed the
    /// entry. Disposing a registration waits for its callback only when that callback is already
    /// running, so a callback not yet started never runs: hence the removal here, after which no
    /// callback can claim the entry any more.
    /// </remarks>
    public void Dispose()
    {
        _registration.Dispose();
        _timer?.Dispose();
        _owner.Release(this);
    }
}
