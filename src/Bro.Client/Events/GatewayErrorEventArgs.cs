using Bro.Protocol;

namespace Bro.Client.Events;

/// <summary>Raised by <see cref="BroClient.GatewayError"/> for every ERROR frame the gateway sends.</summary>
/// <param name="error">The error the frame carries.</param>
/// <param name="requestId">The call id the frame names, if any.</param>
/// <param name="poolIndex">The pooled connection it arrived on (0 for the primary).</param>
public sealed class GatewayErrorEventArgs(ErrorInfo error, string? requestId, int poolIndex) : EventArgs
{
    /// <summary>The error the frame carries.</summary>
    public ErrorInfo Error { get; } = error;

    /// <summary>The call id the frame names, if any.</summary>
    public string? RequestId { get; } = requestId;

    /// <summary>The pooled connection it arrived on (0 for the primary).</summary>
    public int PoolIndex { get; } = poolIndex;
}
