using Bro.Protocol;

namespace Bro.Client.Internal;

/// <summary>One call waiting for its response; see <see cref="PendingCalls"/>.</summary>
internal sealed class PendingCall : IDisposable
{
    private CancellationTokenSource? _timer;
    private CancellationTokenRegistration _registration;

    /// <summary>Creates the entry; <see cref="Start"/> arms its timeout.</summary>
    public PendingCall(string id, int poolIndex)
    {
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
    public void Start(PendingCalls owner, string target, string method, TimeSpan timeout, CancellationToken cancellationToken)
    {
        _timer = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : new CancellationTokenSource();
        var caller = cancellationToken;
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

    /// <summary>Releases the timer and the registration; called by the caller after the task completed.</summary>
    public void Dispose()
    {
        _registration.Dispose();
        _timer?.Dispose();
    }
}
