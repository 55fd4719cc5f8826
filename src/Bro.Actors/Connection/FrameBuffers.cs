using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Numerics;
using Bro.Transport;

namespace Bro.Connection;

/// <summary>
/// The byte buffers a connection reads into and queues its writes in: from the shared array
/// pool up to <see cref="PooledMax"/>; above it from a few big buffers kept only while big
/// frames keep coming. Once no big buffer has moved for <see cref="QuietAfterLarge"/>, those are
/// dropped and one aggressive collection gives their memory back to the system. Thread-safe.
/// </summary>
/// <remarks>
/// <para>Why: the shared pool keeps what is returned to it, per core, until a gen-2 GC under
/// memory pressure trims it, and an idle gateway makes no GC at all. One burst of four 16 MiB
/// frames left the gateway 80-100 MB bigger for good with pooled buffers, and 160 MB bigger
/// with them merely dropped (the garbage waits for a collection that never comes while idle).
/// See docs/bench-log.md, "Memory returned after bursts".</para>
/// <para>Cost: buffers over 1 MiB exist only for frames over 1 MiB or a queue that has grown
/// past it, so the common path still rents from the pool. The collection is blocking and runs
/// once per burst, after it: a pause of milliseconds on a heap that is mostly garbage by then,
/// never during a stream of big frames (each big buffer pushes it back).</para>
/// </remarks>
internal static class FrameBuffers
{
    /// <summary>1 MiB: the largest buffer taken from and given back to the shared pool.</summary>
    public const int PooledMax = 1024 * 1024;

    /// <summary>2 s: how long no big buffer is rented or returned before the memory is given back.</summary>
    public static readonly TimeSpan QuietAfterLarge = TimeSpan.FromSeconds(2);

    /// <summary>Big buffers kept for reuse during a burst: enough for a read and a queue on each side of a call.</summary>
    private const int LargeKept = 4;

    private static readonly ConcurrentQueue<byte[]> Large = new();
    private static readonly Timer ReleaseTimer = new(_ => Release(), null, Timeout.Infinite, Timeout.Infinite);

    /// <summary>
    /// Moves or grows a read buffer so the partial frame at [start, end) fits whole and there is
    /// room to read (<paramref name="readSize"/> bytes when the partial frame's length is not known yet).
    /// </summary>
    public static byte[] MakeRoom(byte[] buffer, ref int start, ref int end, int readSize)
    {
        var partial = end - start;
        var needed = partial >= BroFraming.HeaderSize
            ? BroFraming.HeaderSize + (int)BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(start))
            : readSize;
        if (needed > buffer.Length)
        {
            var larger = Rent(Math.Max(needed, readSize));
            buffer.AsSpan(start, partial).CopyTo(larger);
            Return(buffer);
            buffer = larger;
        }
        else if (start > 0 && (buffer.Length - start < needed || end == buffer.Length))
        {
            buffer.AsSpan(start, partial).CopyTo(buffer);
        }
        else
        {
            return buffer;
        }

        start = 0;
        end = partial;
        return buffer;
    }

    /// <summary>A buffer of at least <paramref name="size"/> bytes, not cleared.</summary>
    public static byte[] Rent(int size)
    {
        if (size <= PooledMax)
            return ArrayPool<byte>.Shared.Rent(size);
        ReleaseTimer.Change(QuietAfterLarge, Timeout.InfiniteTimeSpan);
        // A kept buffer too small for this one is dropped: the GC takes it with the next collection.
        while (Large.TryDequeue(out var kept))
        {
            if (kept.Length >= size)
                return kept;
        }

        // Powers of two, as the shared pool does, so the next big frame of about this size reuses it.
        return GC.AllocateUninitializedArray<byte>((int)Math.Min(Array.MaxLength, BitOperations.RoundUpToPowerOf2((uint)size)));
    }

    /// <summary>Gives back a buffer from <see cref="Rent"/>; the caller no longer uses it.</summary>
    public static void Return(byte[] buffer)
    {
        if (buffer.Length <= PooledMax)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        ReleaseTimer.Change(QuietAfterLarge, Timeout.InfiniteTimeSpan);
        if (Large.Count < LargeKept)
            Large.Enqueue(buffer);
    }

    private static void Release()
    {
        Large.Clear();
        // Aggressive: a full, compacting collection that also decommits the free space the GC
        // would otherwise keep for later allocations, which is the point here.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
