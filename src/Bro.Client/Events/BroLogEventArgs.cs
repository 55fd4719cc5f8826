namespace Bro.Client.Events;

/// <summary>Raised by <see cref="BroClient.Log"/>: one line of the client's own log.</summary>
/// <param name="level">Severity.</param>
/// <param name="message">The line.</param>
public sealed class BroLogEventArgs(BroLogLevel level, string message) : EventArgs
{
    /// <summary>Severity.</summary>
    public BroLogLevel Level { get; } = level;

    /// <summary>The line.</summary>
    public string Message { get; } = message;
}
