namespace Bro.Protocol;

/// <summary>The <c>error</c> object of a RESPONSE or ERROR frame.</summary>
/// <param name="Message">Human-readable message.</param>
/// <param name="Code">One of <see cref="ErrorCodes"/>, or a handler's own code.</param>
/// <param name="Stack">A stack trace, when the sender chose to include one.</param>
public sealed record ErrorInfo(string Message, string? Code = null, string? Stack = null);
