using System.Diagnostics;

namespace Bro.Bench;

/// <summary>
/// What one chaos connection read lately: for each of its last frames, when it was read and how
/// many bytes the connection had read before it. A late answer read after megabytes of other
/// frames that came since its deadline waited behind them in the connection's own queue (the
/// gateway writes a connection's frames in order): its lateness is its reader's pace.
/// </summary>
/// <remarks>Written and read by the connection's read loop only: not thread-safe.</remarks>
internal sealed class ReadHistory
{
    private const int Kept = 4096;

    private readonly (long At, long BytesBefore)[] _frames = new (long, long)[Kept];
    private long _count;
    private long _bytes;

    /// <summary>Notes a frame of <paramref name="length"/> bytes read now.</summary>
    public void Read(int length)
    {
        _frames[_count++ % Kept] = (Stopwatch.GetTimestamp(), _bytes);
        _bytes += length;
    }

    /// <summary>
    /// Bytes read in the frames since <paramref name="timestamp"/> (a <see cref="Stopwatch"/>
    /// timestamp); when the history does not reach back that far, those of every frame it keeps.
    /// </summary>
    public long BytesSince(long timestamp)
    {
        var oldest = Math.Max(0, _count - Kept);
        for (var i = oldest; i < _count; i++)
        {
            var frame = _frames[i % Kept];
            if (frame.At >= timestamp)
                return _bytes - frame.BytesBefore;
        }

        return 0;
    }
}
