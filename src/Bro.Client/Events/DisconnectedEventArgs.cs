namespace Bro.Client.Events;

/// <summary>Raised by <see cref="BroClient.Disconnected"/> when a registered connection closes.</summary>
public sealed class DisconnectedEventArgs : EventArgs
{
    internal DisconnectedEventArgs(int poolIndex, string reason, bool willReconnect)
    {
        PoolIndex = poolIndex;
        Reason = reason;
        WillReconnect = willReconnect;
    }

    /// <summary>The pooled connection that closed (0 for the primary).</summary>
    public int PoolIndex { get; }

    /// <summary>Why it closed.</summary>
    public string Reason { get; }

    /// <summary>Whether the client is going to reconnect by itself.</summary>
    public bool WillReconnect { get; }
}
