namespace Bro.Protocol;

/// <summary>
/// One frame of the wire protocol, decoded. The subtypes are immutable; only the codecs
/// know how they look in JSON or MessagePack.
/// </summary>
public abstract record BroMessage
{
    /// <summary>The frame's <c>type</c>.</summary>
    public abstract MessageType Type { get; }
}
