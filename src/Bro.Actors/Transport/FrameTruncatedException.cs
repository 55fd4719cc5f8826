using Akka.Streams.Dsl;

namespace Bro.Transport;

/// <summary>
/// Fails a <see cref="BroFraming.Decoder"/> stream when the byte stream ends inside a frame
/// (inside its 4-byte prefix or before all the announced payload bytes arrived), for example
/// because the peer closed its connection mid-frame.
/// </summary>
internal sealed class FrameTruncatedException : Framing.FramingException
{
    /// <summary>Creates the exception, keeping the framing stage's own failure as the cause.</summary>
    /// <param name="cause">The failure reported by Akka.Streams' length-field framing stage.</param>
    public FrameTruncatedException(Exception cause)
        : base($"The byte stream ended inside a frame: the final frame is truncated ({cause.Message})")
    {
        Cause = cause;
    }

    /// <summary>The failure reported by Akka.Streams' length-field framing stage.</summary>
    public Exception Cause { get; }
}
