using Akka;
using Akka.IO;
using Akka.Streams.Dsl;

namespace Bro.Transport;

/// <summary>
/// Akka.Streams flows for Bro's frame format: a 4-byte big-endian length prefix counting the
/// payload only, then the payload. Built on the length-field framing that Akka.Streams ships
/// (the same stage behind <see cref="Framing.SimpleFramingProtocol"/>); only the size check
/// is Bro's own, so that an oversized prefix fails with a <see cref="FrameTooLargeException"/>
/// carrying the announced size and the limit.
/// </summary>
/// <remarks>
/// Every flow returned here is a reusable blueprint: each materialization gets its own state.
/// Payloads stay <see cref="ByteString"/>s; the decoder never allocates the size a prefix
/// announces, it only accumulates the bytes that actually arrive.
/// </remarks>
internal static class BroFraming
{
    /// <summary>The default maximum payload size of one frame: 16 MiB (16 * 1024 * 1024 bytes).</summary>
    public const int DefaultMaxFrameSize = 16 * 1024 * 1024;

    /// <summary>The size of the length prefix in front of every payload: 4 bytes.</summary>
    public const int HeaderSize = 4;

    /// <summary>
    /// The largest accepted <c>maxFrameSize</c>: <see cref="int.MaxValue"/> minus the prefix,
    /// because the underlying stage counts a whole frame (prefix included) in an <see cref="int"/>.
    /// </summary>
    public const int MaxSupportedFrameSize = int.MaxValue - HeaderSize;

    /// <summary>
    /// Splits a byte stream into frame payloads (prefixes removed). A zero-length frame yields
    /// <see cref="ByteString.Empty"/>. The stream fails with <see cref="FrameTooLargeException"/>
    /// as soon as a prefix announces more than <paramref name="maxFrameSize"/> payload bytes, and
    /// with <see cref="FrameTruncatedException"/> when upstream completes inside a frame.
    /// </summary>
    /// <param name="maxFrameSize">Maximum payload size in bytes, prefix excluded; default 16 MiB.</param>
    /// <returns>A flow from raw socket bytes to payloads.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="maxFrameSize"/> is negative or above <see cref="MaxSupportedFrameSize"/>.
    /// </exception>
    public static Flow<ByteString, ByteString, NotUsed> Decoder(int maxFrameSize = DefaultMaxFrameSize)
    {
        CheckMaxFrameSize(maxFrameSize);

        // Akka's own SimpleFramingProtocolDecoder(max) is LengthField(4, max + 4) and reports an
        // oversized prefix as "frame size max + 4 ... reported size n + 4" (prefix included), and
        // a prefix of 2 GiB or more as a negative size, since it decodes into a signed int. The
        // computeFrameSize overload lets us read the prefix as the unsigned value it is and throw
        // before the stage compares sizes; an exception thrown inside a stage handler fails that
        // stage with this very exception. The stage then never waits for (nor buffers towards)
        // the announced size: it fails on the 4th byte of the prefix.
        var lengthField = Framing.LengthField(
            fieldLength: HeaderSize,
            fieldOffset: 0,
            maximumFrameLength: maxFrameSize + HeaderSize,
            byteOrder: ByteOrder.BigEndian,
            computeFrameSize: (_, announced) =>
            {
                var size = (long)(uint)announced;
                if (size > maxFrameSize)
                    throw new FrameTooLargeException(size, maxFrameSize);
                return (int)size + HeaderSize;
            });

        return Flow.Create<ByteString>()
            .Via(lengthField)
            // Slice does not copy: the payload shares the frame's (compacted) array.
            .Select(frame => frame.Slice(HeaderSize))
            // With the size checked above, the only failure left to the length-field stage is
            // upstream completing with a partial frame buffered; give it a type the gateway can
            // tell apart from an oversized frame.
            .SelectError(error => error is Framing.FramingException and not FrameTooLargeException
                ? new FrameTruncatedException(error)
                : error)
            .Named("BroFramingDecoder");
    }

    /// <summary>
    /// Prefixes every payload with its 4-byte big-endian length. The prefix and the payload are
    /// concatenated without copying the payload. A payload longer than
    /// <paramref name="maxFrameSize"/> fails the stream with a
    /// <see cref="Framing.FramingException"/> stating both sizes.
    /// </summary>
    /// <param name="maxFrameSize">Maximum payload size in bytes, prefix excluded; default 16 MiB.</param>
    /// <returns>A flow from payloads to framed bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="maxFrameSize"/> is negative or above <see cref="MaxSupportedFrameSize"/>.
    /// </exception>
    public static Flow<ByteString, ByteString, NotUsed> Encoder(int maxFrameSize = DefaultMaxFrameSize)
    {
        CheckMaxFrameSize(maxFrameSize);

        // SimpleFramingProtocolEncoder's maximum is the payload size (prefix excluded), which
        // is exactly Bro's meaning, and its message already states the limit and the size.
        return Flow.Create<ByteString>()
            .Via(Framing.SimpleFramingProtocolEncoder(maxFrameSize))
            .Named("BroFramingEncoder");
    }

    /// <summary>
    /// Both directions as one bidi flow, shaped like <see cref="Framing.SimpleFramingProtocol"/>:
    /// the first pair of ports encodes outgoing payloads (<see cref="Encoder"/>), the second
    /// decodes incoming bytes (<see cref="Decoder"/>). Join it onto a connection's byte flow.
    /// </summary>
    /// <param name="maxFrameSize">Maximum payload size in bytes, prefix excluded; default 16 MiB.</param>
    /// <returns>The framing protocol as a bidi flow.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="maxFrameSize"/> is negative or above <see cref="MaxSupportedFrameSize"/>.
    /// </exception>
    public static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> Bidi(int maxFrameSize = DefaultMaxFrameSize) =>
        BidiFlow.FromGraph(BidiFlow.FromFlows(Encoder(maxFrameSize), Decoder(maxFrameSize)).Named("BroFraming"));

    private static void CheckMaxFrameSize(int maxFrameSize)
    {
        if (maxFrameSize is < 0 or > MaxSupportedFrameSize)
            throw new ArgumentOutOfRangeException(nameof(maxFrameSize), maxFrameSize,
                $"The maximum frame size must be between 0 and {MaxSupportedFrameSize} bytes");
    }
}
