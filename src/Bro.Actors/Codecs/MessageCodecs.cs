using System.Buffers;
using Bro.Protocol;

namespace Bro.Codecs;

/// <summary>The codec singletons; codecs hold no state, so one of each serves every connection.</summary>
public static class MessageCodecs
{
    /// <summary>The <c>json</c> codec.</summary>
    public static JsonMessageCodec Json { get; } = new();

    /// <summary>The <c>msgpack</c> codec.</summary>
    public static MessagePackMessageCodec MessagePack { get; } = new();

    /// <summary>The codec of <paramref name="encoding"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">For a value that is not a <see cref="BroEncoding"/>.</exception>
    public static IMessageCodec For(BroEncoding encoding) => encoding switch
    {
        BroEncoding.Json => Json,
        BroEncoding.MessagePack => MessagePack,
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Unknown encoding"),
    };

    /// <summary>
    /// Decodes with <paramref name="codec"/>, giving a CALL without a deadline
    /// <paramref name="defaultDeadline"/> (and a new context when it has none).
    /// </summary>
    internal static BroMessage Decode(IMessageCodec codec, ReadOnlyMemory<byte> payload, long defaultDeadline) => codec switch
    {
        JsonMessageCodec json => json.Decode(payload, defaultDeadline),
        MessagePackMessageCodec messagePack => messagePack.Decode(payload, defaultDeadline),
        _ => codec.Decode(payload),
    };

    /// <summary>Encodes <paramref name="message"/> with <paramref name="codec"/>, appending the payload to <paramref name="output"/>.</summary>
    internal static void Encode(IMessageCodec codec, BroMessage message, IBufferWriter<byte> output)
    {
        switch (codec)
        {
            case JsonMessageCodec json:
                json.Encode(message, output);
                break;
            case MessagePackMessageCodec messagePack:
                messagePack.Encode(message, output);
                break;
            default:
                output.Write(codec.Encode(message));
                break;
        }
    }
}
