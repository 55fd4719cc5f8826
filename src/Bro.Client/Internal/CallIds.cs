namespace Bro.Client.Internal;

/// <summary>
/// Request and root ids in <c>ipc-bro</c>'s format, <c>&lt;prefix&gt;-&lt;epoch ms&gt;-&lt;6 chars of [a-z0-9]&gt;</c>,
/// with the 6 characters taken from a counter rather than drawn at random.
/// </summary>
/// <remarks>
/// A counter makes ids unique within the process (36^6, about 2.2 billion, before it wraps, and
/// the millisecond differs by then), where random characters collide now and then at tens of
/// thousands of calls a second, failing a call as "already pending". Each id is built straight
/// into its one string. The counter starts at a random point so two processes' ids differ too.
/// </remarks>
internal static class CallIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    private const long Range = 36L * 36 * 36 * 36 * 36 * 36;

    private static long _counter = Random.Shared.NextInt64(Range);

    /// <summary>A new id, e.g. <c>req-1699005123456-a7f3e9</c>, for the time <paramref name="epochMs"/>.</summary>
    public static string Next(string prefix, long epochMs)
    {
        var sequence = (ulong)Interlocked.Increment(ref _counter) % Range;
        var digits = CountDigits((ulong)epochMs);
        return string.Create(prefix.Length + 1 + digits + 1 + 6, (prefix, epochMs, sequence), static (id, state) =>
        {
            var (prefix, epochMs, sequence) = state;
            prefix.CopyTo(id);
            id[prefix.Length] = '-';
            epochMs.TryFormat(id[(prefix.Length + 1)..], out var written);
            id[prefix.Length + 1 + written] = '-';
            var suffix = id[^6..];
            for (var i = 5; i >= 0; i--)
            {
                suffix[i] = Alphabet[(int)(sequence % 36)];
                sequence /= 36;
            }
        });
    }

    private static int CountDigits(ulong value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }
}
