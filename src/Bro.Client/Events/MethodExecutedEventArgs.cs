using Bro.Protocol;

namespace Bro.Client.Events;

/// <summary>Raised by <see cref="BroClient.MethodExecuted"/> after a handler ran and its response was queued.</summary>
public sealed class MethodExecutedEventArgs : EventArgs
{
    internal MethodExecutedEventArgs(string method, string requestId, ErrorInfo? error, TimeSpan duration)
    {
        Method = method;
        RequestId = requestId;
        Error = error;
        Duration = duration;
    }

    /// <summary>The method called.</summary>
    public string Method { get; }

    /// <summary>The CALL's id.</summary>
    public string RequestId { get; }

    /// <summary>Whether the handler succeeded.</summary>
    public bool Success => Error is null;

    /// <summary>The error sent back, or <c>null</c> on success.</summary>
    public ErrorInfo? Error { get; }

    /// <summary>How long the handler ran.</summary>
    public TimeSpan Duration { get; }
}
