using System.Buffers.Binary;
using Bro.Codecs;
using Bro.Codecs.Internal;
using Bro.Protocol;

namespace Bro.Client.Internal;

/// <summary>
/// One outbound frame being encoded: an array rented from the shared pool, the 4-byte length
/// prefix reserved at its start, the payload appended by a codec through a
/// <see cref="PooledBufferWriter"/>. One instance is kept per thread, so encoding a frame
/// allocates nothing.
/// </summary>
/// <remarks>
/// Ownership: the array belongs to this buffer until <see cref="Detach"/> hands it (with the
/// frame in it) to the outbound queue, which returns it to the pool once sent; the buffer rents
/// a new one for its next frame. Small frames are copied into the queue's batch instead, and
/// the array stays here for the next frame on this thread.
/// </remarks>
internal sealed class FrameBuffer : IDisposable
{
    // An array grown past this by one large frame is not kept for the thread's next (small) frames.
    private const int KeptSize = 64 * 1024;

    // Room for a CALL's or RESPONSE's fields around its value: ids, names, the context.
    private const int EnvelopeSize = 1024;

    [ThreadStatic]
    private static FrameBuffer? _cached;

    private readonly PooledBufferWriter _writer = new();

    private FrameBuffer()
    {
    }

    /// <summary>The prefixed frame encoded so far.</summary>
    public ReadOnlySpan<byte> Frame => _writer.WrittenSpan;

    /// <summary>Bytes in <see cref="Frame"/>, prefix included.</summary>
    public int Length => _writer.WrittenCount;

    /// <summary>
    /// This thread's buffer (or a new one when it is in use), empty, with the prefix reserved and
    /// room for <paramref name="sizeHint"/> bytes (so a large payload is not copied as it grows).
    /// </summary>
    public static FrameBuffer Rent(int sizeHint)
    {
        var buffer = _cached ?? new FrameBuffer();
        _cached = null;
        buffer._writer.Reserve(Frames.PrefixLength + sizeHint);
        buffer._writer.Advance(Frames.PrefixLength);
        return buffer;
    }

    /// <summary>Encodes <paramref name="message"/> with <paramref name="codec"/> into a rented buffer and writes its prefix.</summary>
    /// <exception cref="BroException">The codec's error, or SERIALIZATION_FAILED for a payload over <paramref name="maxFrameSize"/>.</exception>
    public static FrameBuffer Encode(IMessageCodec codec, BroMessage message, int maxFrameSize)
    {
        // The envelope is small next to a large value, which is written as it is (same encoding).
        var value = message switch
        {
            CallMessage call => call.Params?.Bytes.Length,
            ResponseMessage response => response.Data?.Bytes.Length,
            _ => null,
        };
        var buffer = Rent(value is { } length ? length + EnvelopeSize : 0);
        try
        {
            MessageCodecs.Encode(codec, message, buffer._writer);
            var payload = buffer.Length - Frames.PrefixLength;
            if (payload > maxFrameSize)
                throw new BroException(ErrorCodes.SerializationFailed,
                    $"The {message.Type} payload is {payload} bytes, over the maximum frame size {maxFrameSize}");
            BinaryPrimitives.WriteUInt32BigEndian(buffer._writer.WrittenSpan, (uint)payload);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>Hands the array holding <see cref="Frame"/> to the caller, who returns it to the pool.</summary>
    public byte[] Detach() => _writer.Detach();

    /// <summary>Gives the buffer back to this thread for its next frame.</summary>
    public void Dispose()
    {
        _writer.Reset(KeptSize);
        _cached = this;
    }
}
