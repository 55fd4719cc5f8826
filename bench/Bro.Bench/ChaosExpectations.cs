using Bro.Protocol;

namespace Bro.Bench;

/// <summary>The outcomes the chaos run accepts; any other is counted unexpected and fails the run.</summary>
internal static class ChaosExpectations
{
    /// <summary>
    /// A well-formed call under chaos: success, or an error RESPONSE the gateway owes its caller
    /// (past its deadline, callee gone mid-call, no such service between restarts, too many in
    /// flight, callee too slow a reader) or the callee's own <see cref="ChaosService.FailCode"/>.
    /// </summary>
    public static readonly IReadOnlySet<string> Calls = new HashSet<string>(StringComparer.Ordinal)
    {
        ChaosLedger.Success,
        ErrorCodes.DeadlineExceeded,
        ErrorCodes.ConnectionLost,
        ErrorCodes.ServiceNotFound,
        ErrorCodes.MaxInFlightExceeded,
        ErrorCodes.ServiceBusy,
        ChaosService.FailCode,
    };

    /// <summary>
    /// A CALL whose id, from and to can be read but whose context or fields are wrong (see
    /// <see cref="ChaosMalformedCalls"/>): an error RESPONSE with its id, never a delivery.
    /// </summary>
    public static readonly IReadOnlySet<string> MalformedCalls = new HashSet<string>(StringComparer.Ordinal)
    {
        ErrorCodes.InvalidMessage,
        ErrorCodes.InvalidContext,
        ErrorCodes.MaxDepthExceeded,
    };
}
