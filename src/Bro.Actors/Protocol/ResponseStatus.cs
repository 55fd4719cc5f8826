namespace Bro.Protocol;

/// <summary>The <c>status</c> of a RESPONSE.</summary>
public enum ResponseStatus
{
    /// <summary><c>success</c>: <c>data</c> carries the result.</summary>
    Success,
    /// <summary><c>error</c>: <c>error</c> says what went wrong.</summary>
    Error,
}
