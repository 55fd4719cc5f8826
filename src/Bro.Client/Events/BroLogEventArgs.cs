namespace Bro.Client.Events;

/// <summary>Raised by <see cref="BroClient.Log"/>: one line of the client's own log.</summary>
public sealed class BroLogEventArgs : EventArgs
{
    internal BroLogEventArgs(BroLogLevel level, string message)
    {
        Level = level;
        Message = message;
    }

    /// <summary>Severity.</summary>
    public BroLogLevel Level { get; }

    /// <summary>The line.</summary>
    public string Message { get; }
}
