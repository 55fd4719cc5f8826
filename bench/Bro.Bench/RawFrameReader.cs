using System.Buffers.Binary;
using System.Net.Sockets;

namespace Bro.Bench;

/// <summary>
/// Length-prefix framing over one socket with one reusable buffer. A read may end anywhere (in
/// a prefix, in a payload, after many frames): <see cref="TryNext"/> hands out only complete
/// frames, and <see cref="FillAsync"/> moves the incomplete tail to the front before reading on.
/// </summary>
/// <remarks>
/// Buffer ownership: a payload handed out by <see cref="TryNext"/> is valid only until the next
/// <see cref="FillAsync"/>, which overwrites the buffer. Single reader; not thread-safe.
/// </remarks>
internal sealed class RawFrameReader(Socket socket, int capacity = RawFrameReader.DefaultCapacity)
{
    /// <summary>256 KiB: about a thousand raw CALL or RESPONSE frames.</summary>
    public const int DefaultCapacity = 256 * 1024;

    private readonly byte[] _buffer = new byte[capacity];
    private int _start;
    private int _end;

    /// <summary>Reads more bytes; false when the peer closed the connection.</summary>
    public async ValueTask<bool> FillAsync(CancellationToken cancellation)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
            throw new InvalidDataException($"a frame is longer than the raw driver's {_buffer.Length}-byte buffer");
        var read = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellation);
        _end += read;
        return read > 0;
    }

    /// <summary>The next complete frame's payload (prefix excluded), if the buffer holds one.</summary>
    public bool TryNext(out ReadOnlySpan<byte> payload)
    {
        payload = default;
        var available = _end - _start;
        if (available < 4)
            return false;
        var length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start));
        if (length < 0 || length > _buffer.Length - 4)
            throw new InvalidDataException($"frame length {length} at buffer offset {_start} is outside 0..{_buffer.Length - 4}");
        if (available < 4 + length)
            return false;
        payload = _buffer.AsSpan(_start + 4, length);
        _start += 4 + length;
        return true;
    }

    /// <summary>Reads until one whole frame is there and returns a copy of its payload (the handshake, not the hot path).</summary>
    public async Task<byte[]> NextAsync(CancellationToken cancellation)
    {
        while (true)
        {
            if (TryNext(out var payload))
                return payload.ToArray();
            if (!await FillAsync(cancellation))
                throw new EndOfStreamException("the server closed the connection before sending a whole frame");
        }
    }
}
