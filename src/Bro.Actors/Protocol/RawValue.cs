namespace Bro.Protocol;

/// <summary>
/// A value carried by a frame (<c>params</c>, <c>data</c>, <c>metadata</c>) kept in its
/// encoded form: a JSON value or a MessagePack object, exactly as it arrived. Keeping the
/// bytes lets a gateway forward a value it never needs to read, and lets a client
/// deserialize it straight into the caller's type.
/// </summary>
/// <remarks>The bytes are owned by this value and never mutated.</remarks>
public sealed class RawValue
{
    /// <summary>Wraps encoded bytes; <paramref name="bytes"/> must hold exactly one value.</summary>
    public RawValue(BroEncoding encoding, ReadOnlyMemory<byte> bytes)
    {
        Encoding = encoding;
        Bytes = bytes;
    }

    /// <summary>The encoding of <see cref="Bytes"/>.</summary>
    public BroEncoding Encoding { get; }

    /// <summary>One encoded value.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }
}
