using Bro.Protocol;

namespace Bro.Client.Events;

/// <summary>Raised by <see cref="BroClient.GatewayError"/> for every ERROR frame the gateway sends.</summary>
public sealed class GatewayErrorEventArgs : EventArgs
{
    internal GatewayErrorEventArgs(ErrorInfo error, string? requestId, int poolIndex)
    {
        Error = error;
        RequestId = requestId;
        PoolIndex = poolIndex;
    }

    /// <summary>The error the frame carries.</summary>
    public ErrorInfo Error { get; }

    /// <summary>The call id the frame names, if any.</summary>
    public string? RequestId { get; }

    /// <summary>The pooled connection it arrived on (0 for the primary).</summary>
    public int PoolIndex { get; }
}
