using System.Buffers.Binary;
using System.Security.Cryptography;
using Bro.Protocol;

namespace Bro.Federation;

/// <summary>
/// The first bytes on a data link, from the gateway that opened it: a magic number, a version,
/// the encoding of every frame that follows, and the token the other gateway offered it
/// (<see cref="DataLinkOffer"/>). Nothing else is read from a connection before its hello checks out.
/// </summary>
internal static class DataLinkHello
{
    /// <summary>Bytes in a hello.</summary>
    public const int Size = 4 + 1 + 1 + TokenSize;

    /// <summary>Bytes in a token: 256 random bits.</summary>
    public const int TokenSize = 32;

    private const uint Magic = 0x42524F4C; // "BROL"
    private const byte Version = 1;

    /// <summary>A new random token.</summary>
    public static byte[] NewToken() => RandomNumberGenerator.GetBytes(TokenSize);

    /// <summary>The hello for a link carrying <paramref name="encoding"/> frames.</summary>
    public static byte[] Write(BroEncoding encoding, byte[] token)
    {
        var hello = new byte[Size];
        BinaryPrimitives.WriteUInt32BigEndian(hello, Magic);
        hello[4] = Version;
        hello[5] = (byte)encoding;
        token.CopyTo(hello.AsSpan(6));
        return hello;
    }

    /// <summary>Reads a hello; <c>null</c> with what is wrong in <paramref name="error"/> when it is not one.</summary>
    public static (BroEncoding Encoding, byte[] Token)? Read(ReadOnlySpan<byte> hello, out string? error)
    {
        error = null;
        if (hello.Length != Size || BinaryPrimitives.ReadUInt32BigEndian(hello) != Magic)
            error = "not a Bro data link";
        else if (hello[4] != Version)
            error = $"data link version {hello[4]}, this gateway speaks {Version}";
        else if (hello[5] > (byte)BroEncoding.MessagePack)
            error = $"unknown encoding {hello[5]}";
        return error is null ? ((BroEncoding)hello[5], hello[6..].ToArray()) : null;
    }
}
