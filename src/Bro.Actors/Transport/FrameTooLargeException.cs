using Akka.Streams.Dsl;

namespace Bro.Transport;

/// <summary>
/// Fails a <see cref="BroFraming.Decoder"/> stream when a length prefix announces a payload
/// larger than the configured maximum frame size. The gateway answers it with an ERROR frame
/// (code <c>INVALID_MESSAGE</c>) and closes that connection only.
/// </summary>
internal sealed class FrameTooLargeException : Framing.FramingException
{
    /// <summary>Creates the exception for a prefix announcing <paramref name="size"/> payload bytes.</summary>
    /// <param name="size">The payload size the prefix announced (an unsigned 32-bit value).</param>
    /// <param name="limit">The maximum payload size the decoder accepts.</param>
    public FrameTooLargeException(long size, int limit)
        : base($"Frame length prefix announces {size} payload bytes, but the maximum frame size is {limit} bytes")
    {
        Size = size;
        Limit = limit;
    }

    /// <summary>The payload size the length prefix announced, in bytes (0 to 4 294 967 295).</summary>
    public long Size { get; }

    /// <summary>The maximum payload size the decoder accepts, in bytes.</summary>
    public int Limit { get; }
}
