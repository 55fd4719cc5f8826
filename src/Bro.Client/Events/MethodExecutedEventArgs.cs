using Bro.Protocol;

namespace Bro.Client.Events;

/// <summary>Raised by <see cref="BroClient.MethodExecuted"/> after a handler ran and its response was queued.</summary>
/// <param name="method">The method called.</param>
/// <param name="requestId">The CALL's id.</param>
/// <param name="error">The error sent back, or <c>null</c> when the handler succeeded.</param>
/// <param name="duration">How long the handler ran.</param>
public sealed class MethodExecutedEventArgs(string method, string requestId, ErrorInfo? error, TimeSpan duration) : EventArgs
{
    /// <summary>The method called.</summary>
    public string Method { get; } = method;

    /// <summary>The CALL's id.</summary>
    public string RequestId { get; } = requestId;

    /// <summary>Whether the handler succeeded.</summary>
    public bool Success => Error is null;

    /// <summary>The error sent back, or <c>null</c> on success.</summary>
    public ErrorInfo? Error { get; } = error;

    /// <summary>How long the handler ran.</summary>
    public TimeSpan Duration { get; } = duration;
}
