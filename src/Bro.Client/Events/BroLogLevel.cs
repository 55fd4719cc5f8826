namespace Bro.Client.Events;

/// <summary>Severity of a <see cref="BroLogEventArgs"/> line.</summary>
public enum BroLogLevel
{
    /// <summary>Frame-level detail, raised only when <see cref="BroClientOptions.Debug"/> is on.</summary>
    Debug,

    /// <summary>Connection lifecycle.</summary>
    Info,

    /// <summary>Something recoverable went wrong.</summary>
    Warning,

    /// <summary>Something failed.</summary>
    Error,
}
