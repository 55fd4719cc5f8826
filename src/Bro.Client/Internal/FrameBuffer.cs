using System.Buffers;
using System.Buffers.Binary;
using Bro.Codecs;
using Bro.Protocol;

namespace Bro.Client.Internal;

/// <summary>
/// One outbound frame being encoded: an array rented from the shared pool, the 4-byte length
/// prefix reserved at its start, the payload appended by a codec through
/// <see cref="IBufferWriter{T}"/>. One instance is kept per thread, so encoding a frame
/// allocates nothing.
/// </summary>
/// <remarks>
/// Ownership: the array belongs to this buffer until <see cref="Detach"/> hands it (with the
/// frame in it) to the outbound queue, which returns it to the pool once sent; the buffer rents
/// a new one for its next frame. Small frames are copied into the queue's batch instead, and
/// the array stays here for the next frame on this thread.
/// </remarks>
internal sealed class FrameBuffer : IBufferWriter<byte>, IDisposable
{
    // Most frames (calls, responses with small values) fit: renting once per thread covers them.
    private const int InitialSize = 512;

    // An array grown past this by one large frame is not kept for the thread's next (small) frames.
    private const int KeptSize = 64 * 1024;

    // Room for a CALL's or RESPONSE's fields around its value: ids, names, the context.
    private const int EnvelopeSize = 1024;

    [ThreadStatic]
    private static FrameBuffer? _cached;

    private byte[]? _array;
    private int _length;

    private FrameBuffer()
    {
    }

    /// <summary>The prefixed frame encoded so far.</summary>
    public ReadOnlySpan<byte> Frame => _array.AsSpan(0, _length);

    /// <summary>Bytes in <see cref="Frame"/>, prefix included.</summary>
    public int Length => _length;

    /// <summary>
    /// This thread's buffer (or a new one when it is in use), empty, with the prefix reserved and
    /// room for <paramref name="sizeHint"/> bytes (so a large payload is not copied as it grows).
    /// </summary>
    public static FrameBuffer Rent(int sizeHint)
    {
        var buffer = _cached ?? new FrameBuffer();
        _cached = null;
        buffer._length = Frames.PrefixLength;
        buffer.Reserve(sizeHint);
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
            MessageCodecs.Encode(codec, message, buffer);
            var payload = buffer._length - Frames.PrefixLength;
            if (payload > maxFrameSize)
                throw new BroException(ErrorCodes.SerializationFailed,
                    $"The {message.Type} payload is {payload} bytes, over the maximum frame size {maxFrameSize}");
            BinaryPrimitives.WriteUInt32BigEndian(buffer._array, (uint)payload);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>Hands the array holding <see cref="Frame"/> to the caller, who returns it to the pool.</summary>
    public byte[] Detach()
    {
        var array = _array!;
        _array = null;
        return array;
    }

    /// <inheritdoc />
    public void Advance(int count) => _length += count;

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _array.AsMemory(_length);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _array.AsSpan(_length);
    }

    /// <summary>Gives the buffer back to this thread for its next frame.</summary>
    public void Dispose()
    {
        if (_array is { Length: > KeptSize } large)
        {
            ArrayPool<byte>.Shared.Return(large);
            _array = null;
        }

        _cached = this;
    }

    private void Reserve(int sizeHint)
    {
        var needed = _length + Math.Max(sizeHint, 1);
        if (_array is not null && _array.Length >= needed)
            return;

        // Doubling keeps the copies of a large frame few.
        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _array is null ? InitialSize : _array.Length * 2));
        if (_array is not null)
        {
            _array.AsSpan(0, _length).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_array);
        }

        _array = grown;
    }
}
