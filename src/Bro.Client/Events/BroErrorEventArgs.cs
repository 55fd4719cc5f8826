namespace Bro.Client.Events;

/// <summary>Raised by <see cref="BroClient.Error"/> for a client-side failure that has no caller to throw to.</summary>
public sealed class BroErrorEventArgs : EventArgs
{
    internal BroErrorEventArgs(Exception exception)
    {
        Exception = exception;
    }

    /// <summary>What went wrong.</summary>
    public Exception Exception { get; }
}
