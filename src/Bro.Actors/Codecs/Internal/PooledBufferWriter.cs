using System.Buffers;

namespace Bro.Codecs.Internal;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over arrays rented from the shared pool: growing rents a
/// larger one and returns the old, so writing a large value costs pooled arrays, not a chain of
/// doubling allocations (MessagePack asks for a string's worst case, 3 bytes per char, up front).
/// </summary>
/// <remarks>Not thread-safe; one owner at a time. <see cref="Reset"/> keeps a small array for the
/// next value; <see cref="Detach"/> hands the array over instead (its taker returns it to the pool).</remarks>
internal sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private byte[] _array = [];
    private int _written;

    /// <summary>What was written since the last <see cref="Reset"/>; writable, for a prefix filled in last.</summary>
    public Span<byte> WrittenSpan => _array.AsSpan(0, _written);

    /// <summary>What was written since the last <see cref="Reset"/>, as memory: valid until the next write or reset.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, _written);

    /// <summary>Bytes written since the last <see cref="Reset"/>.</summary>
    public int WrittenCount => _written;

    /// <summary>Makes room for <paramref name="sizeHint"/> more bytes now, so a large value is not copied as it grows.</summary>
    public void Reserve(int sizeHint) => Ensure(sizeHint);

    /// <summary>Hands the array holding <see cref="WrittenSpan"/> to the caller, who returns it to the pool; the writer is empty again.</summary>
    public byte[] Detach()
    {
        var array = _array;
        _array = [];
        _written = 0;
        return array;
    }

    /// <summary>Empties the writer; an array larger than <paramref name="keepBytes"/> goes back to the pool.</summary>
    public void Reset(int keepBytes)
    {
        _written = 0;
        if (_array.Length > keepBytes)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = [];
        }
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > _array.Length)
            throw new InvalidOperationException($"Advanced {count} bytes past the {_array.Length - _written} available");
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(_written);
    }

    private void Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _array.Length)
            return;
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(256, _array.Length * 2)));
        WrittenSpan.CopyTo(larger);
        if (_array.Length > 0)
            ArrayPool<byte>.Shared.Return(_array);
        _array = larger;
    }
}
