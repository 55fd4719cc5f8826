namespace Bro.Protocol;

/// <summary>The two payload encodings of the wire protocol.</summary>
public enum BroEncoding
{
    /// <summary>UTF-8 JSON; the payload starts with <c>{</c>, possibly after whitespace.</summary>
    Json,

    /// <summary>A MessagePack map (fixmap, map16 or map32 marker first).</summary>
    MessagePack,
}
