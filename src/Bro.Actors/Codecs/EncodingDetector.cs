using Bro.Protocol;

namespace Bro.Codecs;

/// <summary>
/// Tells the encoding of a payload from its first bytes. <c>ipc-bro</c> has no negotiation,
/// so a gateway detects each connection's encoding from its first frame.
/// </summary>
public static class EncodingDetector
{
    /// <summary>
    /// <see cref="BroEncoding.MessagePack"/> when the payload starts with a map marker
    /// (0x80-0x8F, 0xDE, 0xDF); <see cref="BroEncoding.Json"/> when its first non-whitespace
    /// byte is <c>{</c>; otherwise <c>null</c>.
    /// </summary>
    public static BroEncoding? Detect(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return null;
        }

        var first = payload[0];
        if (first is >= 0x80 and <= 0x8F or 0xDE or 0xDF)
        {
            return BroEncoding.MessagePack;
        }

        var json = payload.TrimStart(" \t\r\n"u8);
        return !json.IsEmpty && json[0] == (byte)'{' ? BroEncoding.Json : null;
    }
}
