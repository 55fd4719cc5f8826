using System.Buffers.Binary;
using System.Security.Cryptography;
using Bro.Protocol;
using Bro.Transport;

namespace Bro.Federation;

/// <summary>
/// The first bytes on a data link, from the gateway that opened it: a magic number, a version,
/// the encoding of every frame that follows, the largest frame it may send (its own
/// max-frame-size: it accepted such frames from its services), and the token the other gateway
/// offered it (<see cref="DataLinkOffer"/>). Nothing else is read from a connection before its hello checks out.
/// </summary>
internal static class DataLinkHello
{
    /// <summary>Bytes in a hello.</summary>
    public const int Size = 4 + 1 + 1 + 4 + TokenSize;

    /// <summary>Bytes in a token: 256 random bits.</summary>
    public const int TokenSize = 32;

    private const uint Magic = 0x42524F4C; // "BROL"
    private const byte Version = 1;

    /// <summary>A new random token.</summary>
    public static byte[] NewToken() => RandomNumberGenerator.GetBytes(TokenSize);

    /// <summary>The hello for a link carrying <paramref name="encoding"/> frames of at most <paramref name="maxFrameSize"/> bytes.</summary>
    public static byte[] Write(BroEncoding encoding, int maxFrameSize, byte[] token)
    {
        var hello = new byte[Size];
        BinaryPrimitives.WriteUInt32BigEndian(hello, Magic);
        hello[4] = Version;
        hello[5] = (byte)encoding;
        BinaryPrimitives.WriteInt32BigEndian(hello.AsSpan(6), maxFrameSize);
        token.CopyTo(hello.AsSpan(10));
        return hello;
    }

    /// <summary>Reads a hello; <c>null</c> with what is wrong in <paramref name="error"/> when it is not one.</summary>
    public static (BroEncoding Encoding, int MaxFrameSize, byte[] Token)? Read(ReadOnlySpan<byte> hello, out string? error)
    {
        error = null;
        if (hello.Length != Size || BinaryPrimitives.ReadUInt32BigEndian(hello) != Magic)
            error = "not a Bro data link";
        else if (hello[4] != Version)
            error = $"data link version {hello[4]}, this gateway speaks {Version}";
        else if (hello[5] > (byte)BroEncoding.MessagePack)
            error = $"unknown encoding {hello[5]}";
        else if (BinaryPrimitives.ReadInt32BigEndian(hello[6..]) is < 1 or > BroFraming.MaxSupportedFrameSize)
            error = $"a max frame size of {BinaryPrimitives.ReadInt32BigEndian(hello[6..])} bytes";
        return error is null ? ((BroEncoding)hello[5], BinaryPrimitives.ReadInt32BigEndian(hello[6..]), hello[10..].ToArray()) : null;
    }
}
