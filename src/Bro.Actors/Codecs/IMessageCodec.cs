using Bro.Protocol;

namespace Bro.Codecs;

/// <summary>
/// Turns frame payloads (the bytes after the length prefix) into messages and back, for one
/// encoding. Codecs do no I/O and are thread-safe.
/// </summary>
public interface IMessageCodec
{
    /// <summary>The encoding this codec reads and writes.</summary>
    BroEncoding Encoding { get; }

    /// <summary>Decodes one payload.</summary>
    /// <exception cref="BroException">
    /// <c>DESERIALIZATION_FAILED</c> when the bytes are not a valid document,
    /// <c>INVALID_MESSAGE</c> when the document is not a valid message.
    /// </exception>
    BroMessage Decode(ReadOnlyMemory<byte> payload);

    /// <summary>Reads only the routing fields of one payload.</summary>
    /// <exception cref="BroException">As <see cref="Decode"/>.</exception>
    internal FrameHeader ReadHeader(ReadOnlySpan<byte> payload);

    /// <summary>Encodes one message as a payload (without the length prefix).</summary>
    byte[] Encode(BroMessage message);
}
