using Bro.Protocol;

namespace Bro.Federation;

/// <summary>
/// Frames one gateway sends another in one remoting message: CALLs, RESPONSEs and CANCELs of
/// one encoding, each with its 4-byte length prefix, exactly as they were (or will be) on a
/// socket. <see cref="Bytes"/>[0] is the encoding; the frames follow it.
/// </summary>
/// <remarks>
/// The layout is the serialized form itself (<see cref="FederationSerializer"/> hands the array
/// to remoting as it is), so a batch is copied once on its way out: from the sending
/// endpoint's buffer into this array. The array is owned by the batch; nobody writes it after.
/// </remarks>
internal sealed record FrameBatch(byte[] Bytes)
{
    /// <summary>The encoding of every frame in the batch.</summary>
    public BroEncoding Encoding => (BroEncoding)Bytes[0];

    /// <summary>The frames, each with its length prefix.</summary>
    public ReadOnlySpan<byte> Frames => Bytes.AsSpan(1);
}
