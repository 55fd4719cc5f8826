namespace Bro.Protocol;

/// <summary>
/// The <c>reason</c> a gateway writes into the CANCEL it sends a callee. For logs and
/// diagnostics: a callee stops the same way whatever the reason.
/// </summary>
public static class CancelReasons
{
    /// <summary><c>CANCELLED</c>: the caller cancelled the call (its token fired) and sent CANCEL.</summary>
    public const string Cancelled = "CANCELLED";

    /// <summary><c>CONNECTION_LOST</c>: the caller's connection closed while the call was in flight.</summary>
    public const string CallerLost = ErrorCodes.ConnectionLost;

    /// <summary><c>DEADLINE_EXCEEDED</c>: the call's deadline passed; its caller was answered so.</summary>
    public const string DeadlineExceeded = ErrorCodes.DeadlineExceeded;
}
