using Bro.Protocol;

namespace Bro.Client;

/// <summary>Per-call settings of <see cref="BroClient.CallAsync{T}"/>.</summary>
public sealed record CallOptions
{
    /// <summary>
    /// Timeout of this call; <c>null</c> (the default) uses <see cref="BroClientOptions.Timeout"/>.
    /// The effective timeout is never longer than the remaining time of the parent context.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// Context to continue instead of the ambient one (<see cref="BroClient.CurrentContext"/>);
    /// the call extends it with the target, keeping its root and deadline. Default <c>null</c>.
    /// </summary>
    public CallContext? Context { get; init; }

    /// <summary>
    /// Cancels waiting for the response (the call's task is then cancelled). Default none.
    /// </summary>
    public CancellationToken CancellationToken { get; init; }
}
