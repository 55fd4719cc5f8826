namespace Bro.Protocol;

/// <summary>
/// A failure with a protocol error code. Remote failures travel as an error RESPONSE and
/// become a <see cref="BroException"/> on the caller's side; exceptions never cross a process.
/// </summary>
public sealed class BroException : Exception
{
    /// <summary>Creates an exception with a code (see <see cref="ErrorCodes"/>) and a message.</summary>
    public BroException(string code, string message, string? details = null, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Details = details;
    }

    /// <summary>The error code: one of <see cref="ErrorCodes"/> or a handler's own.</summary>
    public string Code { get; }

    /// <summary>Extra detail, such as the remote stack trace when the remote side sent one.</summary>
    public string? Details { get; }

    /// <summary>The wire form of this error.</summary>
    public ErrorInfo ToErrorInfo(bool includeStack) =>
        new(Message, Code, includeStack ? Details ?? StackTrace : null);
}
