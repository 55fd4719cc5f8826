namespace Bro.Client.Events;

/// <summary>Raised by <see cref="BroClient.Error"/> for a client-side failure that has no caller to throw to.</summary>
/// <param name="exception">What went wrong.</param>
public sealed class BroErrorEventArgs(Exception exception) : EventArgs
{
    /// <summary>What went wrong.</summary>
    public Exception Exception { get; } = exception;
}
