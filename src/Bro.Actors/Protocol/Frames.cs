using System.Buffers.Binary;
using Bro.Codecs;

namespace Bro.Protocol;

/// <summary>
/// The frame format: a 4-byte big-endian payload length, then the payload. The C# counterpart
/// of <c>ipc-bro</c>'s framing utilities, for code that handles frames outside a stream graph.
/// </summary>
public static class Frames
{
    /// <summary>Bytes in the length prefix.</summary>
    public const int PrefixLength = 4;

    /// <summary>A frame's payload as <paramref name="payload"/> prefixed by its length.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        var frame = new byte[PrefixLength + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(PrefixLength));
        return frame;
    }

    /// <summary>The payload length announced by the prefix, or <c>null</c> with fewer than 4 bytes.</summary>
    /// <exception cref="BroException"><c>INVALID_MESSAGE</c> when the length exceeds <see cref="int.MaxValue"/>, which no frame can have.</exception>
    internal static int? ReadMessageLength(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < PrefixLength)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(buffer);
        return length <= int.MaxValue
            ? (int)length
            : throw new BroException(ErrorCodes.InvalidMessage, $"Frame length {length} exceeds the maximum {int.MaxValue}");
    }

    /// <summary>Whether <paramref name="buffer"/> starts with a whole frame (prefix and payload).</summary>
    internal static bool HasCompleteMessage(ReadOnlySpan<byte> buffer) =>
        ReadMessageLength(buffer) is { } length && buffer.Length - PrefixLength >= length;

    /// <summary>
    /// Splits the whole frames at the start of <paramref name="buffer"/> into payloads (copies);
    /// <paramref name="consumed"/> is the offset of the first byte not yet part of a whole frame.
    /// </summary>
    /// <exception cref="BroException"><c>INVALID_MESSAGE</c> when a prefix announces more than <paramref name="maxFrameSize"/> bytes.</exception>
    internal static IReadOnlyList<byte[]> SplitMessages(
        ReadOnlySpan<byte> buffer, out int consumed, int maxFrameSize = 16 * 1024 * 1024)
    {
        var payloads = new List<byte[]>();
        consumed = 0;
        while (ReadMessageLength(buffer[consumed..]) is { } length)
        {
            if (length > maxFrameSize)
            {
                throw new BroException(
                    ErrorCodes.InvalidMessage,
                    $"Frame of {length} bytes at offset {consumed} exceeds the maximum frame size {maxFrameSize}");
            }

            if (buffer.Length - consumed - PrefixLength < length)
            {
                break;
            }

            payloads.Add(buffer.Slice(consumed + PrefixLength, length).ToArray());
            consumed += PrefixLength + length;
        }

        return payloads;
    }

    /// <summary>Encodes <paramref name="message"/> in <paramref name="encoding"/> and frames it.</summary>
    public static byte[] Serialize(BroMessage message, BroEncoding encoding) =>
        Frame(MessageCodecs.For(encoding).Encode(message));

    /// <summary>Decodes one payload (no prefix), detecting its encoding.</summary>
    /// <exception cref="BroException"><c>DESERIALIZATION_FAILED</c> when the encoding is not recognised or the bytes are malformed; <c>INVALID_MESSAGE</c> for an invalid message.</exception>
    public static BroMessage Deserialize(ReadOnlyMemory<byte> payload) => Deserialize(payload, keepPayload: false);

    /// <summary>
    /// As <see cref="Deserialize(ReadOnlyMemory{byte})"/>; with <paramref name="keepPayload"/> the
    /// message's raw values are slices of <paramref name="payload"/> (memory of its own that
    /// nothing reuses), not copies: a large value is then never copied on its way in.
    /// </summary>
    internal static BroMessage Deserialize(ReadOnlyMemory<byte> payload, bool keepPayload)
    {
        var encoding = EncodingDetector.Detect(payload.Span)
            ?? throw new BroException(
                ErrorCodes.DeserializationFailed,
                payload.IsEmpty
                    ? "Empty payload"
                    : $"Payload of {payload.Length} bytes starting with 0x{payload.Span[0]:X2} is neither a JSON object nor a MessagePack map");
        return encoding == BroEncoding.Json
            ? MessageCodecs.Json.Decode(payload, null, keepPayload)
            : MessageCodecs.MessagePack.Decode(payload, null, keepPayload);
    }
}
