using Bro.Codecs.Internal;

namespace Bro.Client.Internal;

/// <summary>
/// This thread's buffer for a CALL's parameters, which the frame encoder copies at once: a
/// parameter then costs no array of its own. A 100 KB one would otherwise be a large-object-heap
/// allocation per call, and large-object allocations are what trigger gen2 collections.
/// </summary>
internal static class ParameterBuffer
{
    // A buffer grown past this by one large value gives its array back to the shared pool.
    private const int KeptSize = 64 * 1024;

    [ThreadStatic]
    private static PooledBufferWriter? t_buffer;

    /// <summary>This thread's buffer, empty (or a new one while it is in use).</summary>
    public static PooledBufferWriter Take()
    {
        var buffer = t_buffer ?? new PooledBufferWriter();
        t_buffer = null;
        return buffer;
    }

    /// <summary>Empties <paramref name="buffer"/> and keeps it for this thread's next call.</summary>
    public static void Return(PooledBufferWriter buffer)
    {
        buffer.Reset(KeptSize);
        t_buffer = buffer;
    }
}
