namespace Bro.Client.Events;

/// <summary>Raised by <see cref="BroClient.Disconnected"/> when a registered connection closes.</summary>
/// <param name="poolIndex">The pooled connection that closed (0 for the primary).</param>
/// <param name="reason">Why it closed.</param>
/// <param name="willReconnect">Whether the client is going to reconnect by itself.</param>
public sealed class DisconnectedEventArgs(int poolIndex, string reason, bool willReconnect) : EventArgs
{
    /// <summary>The pooled connection that closed (0 for the primary).</summary>
    public int PoolIndex { get; } = poolIndex;

    /// <summary>Why it closed.</summary>
    public string Reason { get; } = reason;

    /// <summary>Whether the client is going to reconnect by itself.</summary>
    public bool WillReconnect { get; } = willReconnect;
}
