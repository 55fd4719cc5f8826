using System.Buffers;
using System.Text.Json;
using Bro.Codecs.Internal;
using Bro.Codecs.Internal.Values;
using MessagePack;

namespace Bro.Protocol;

/// <summary>
/// A value carried by a frame (<c>params</c>, <c>data</c>, <c>metadata</c>) kept in its
/// encoded form: a JSON value or a MessagePack object, exactly as it arrived. Keeping the
/// bytes lets a gateway forward a value it never needs to read, and lets a client
/// deserialize it straight into the caller's type.
/// </summary>
/// <remarks>The bytes are owned by this value and never mutated. Instances are thread-safe.</remarks>
public sealed class RawValue
{
    /// <summary>Wraps encoded bytes; <paramref name="bytes"/> must hold exactly one value.</summary>
    public RawValue(BroEncoding encoding, ReadOnlyMemory<byte> bytes)
    {
        Encoding = encoding;
        Bytes = bytes;
    }

    /// <summary>The encoding of <see cref="Bytes"/>.</summary>
    public BroEncoding Encoding { get; }

    /// <summary>One encoded value.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>
    /// The options used when none are given: camelCase web defaults, and no escaping beyond what
    /// JSON requires (as JavaScript's <c>JSON.stringify</c> writes, and as the codecs write).
    /// </summary>
    public static JsonSerializerOptions DefaultJsonOptions { get; } = new(JsonSerializerOptions.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Serializes <paramref name="value"/> with System.Text.Json's contract for it (camelCase web
    /// defaults unless <paramref name="options"/> is given): JSON by System.Text.Json itself;
    /// MessagePack written directly, as the same map the JSON would be (same keys, order and
    /// omitted nulls), with <c>byte[]</c> as bin rather than base64. A <see cref="RawValue"/> is
    /// not serialized but passed on, in <paramref name="encoding"/>.
    /// </summary>
    /// <exception cref="BroException"><c>SERIALIZATION_FAILED</c> when the value cannot be serialized.</exception>
    public static RawValue FromObject<T>(T value, BroEncoding encoding, JsonSerializerOptions? options = null)
    {
        if (value is RawValue raw)
        {
            return raw.To(encoding);
        }

        try
        {
            return encoding == BroEncoding.MessagePack
                ? new RawValue(encoding, MessagePackValueSerializer.For(options ?? DefaultJsonOptions).Serialize(value))
                : new RawValue(encoding, JsonSerializer.SerializeToUtf8Bytes(value, options ?? DefaultJsonOptions));
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw SerializationFailed<T>(ex);
        }
    }

    /// <summary>
    /// As <see cref="FromObject{T}(T, BroEncoding, JsonSerializerOptions?)"/>, the bytes written into
    /// <paramref name="output"/> (empty) instead of an array of their own: the value lives only as
    /// long as <paramref name="output"/> is not reset, for a caller that copies it into a frame at
    /// once. A large value then costs a pooled array, not a large-object-heap allocation.
    /// </summary>
    internal static RawValue FromObject<T>(T value, BroEncoding encoding, JsonSerializerOptions? options, PooledBufferWriter output)
    {
        if (value is RawValue raw)
        {
            return raw.To(encoding);
        }

        options ??= DefaultJsonOptions;
        try
        {
            if (encoding == BroEncoding.MessagePack)
            {
                MessagePackValueSerializer.For(options).Serialize(value, output);
            }
            else
            {
                JsonValueWriter.Serialize(value, options, output);
            }

            return new RawValue(encoding, output.WrittenMemory);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw SerializationFailed<T>(ex);
        }
    }

    /// <summary>
    /// Deserializes the value with System.Text.Json's contract for <typeparamref name="T"/>
    /// (camelCase web defaults unless <paramref name="options"/> is given): JSON by System.Text.Json
    /// itself, MessagePack read directly (a bin or a base64 str into <c>byte[]</c>, unknown keys
    /// skipped). <typeparamref name="T"/> = <see cref="RawValue"/> gives this value, undecoded.
    /// </summary>
    /// <exception cref="BroException"><c>DESERIALIZATION_FAILED</c> when the value does not fit <typeparamref name="T"/>.</exception>
    public T? Deserialize<T>(JsonSerializerOptions? options = null)
    {
        if (typeof(T) == typeof(RawValue))
        {
            return (T)(object)this;
        }

        try
        {
            return Encoding == BroEncoding.MessagePack
                ? MessagePackValueSerializer.For(options ?? DefaultJsonOptions).Deserialize<T>(Bytes)
                : JsonSerializer.Deserialize<T>(Bytes.Span, options ?? DefaultJsonOptions);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException
            or MessagePackSerializationException or EndOfStreamException or FormatException or OverflowException)
        {
            throw new BroException(
                ErrorCodes.DeserializationFailed, $"Cannot deserialize {typeof(T).Name}: {ex.Message}", inner: ex);
        }
    }

    /// <summary>The value as a <see cref="JsonElement"/> that outlives this call.</summary>
    /// <exception cref="BroException"><c>DESERIALIZATION_FAILED</c> when the bytes are not a valid value.</exception>
    public JsonElement ToJsonElement() => Deserialize<JsonElement>();

    /// <summary>The value as JSON text.</summary>
    /// <exception cref="BroException"><c>DESERIALIZATION_FAILED</c> when a MessagePack value has no JSON form.</exception>
    public string ToJsonString() => System.Text.Encoding.UTF8.GetString(ToJsonBytes().Span);

    /// <summary>This value in <paramref name="encoding"/>: itself when it already is, else transcoded.</summary>
    /// <exception cref="BroException"><c>DESERIALIZATION_FAILED</c> when the value cannot be read or has no form in <paramref name="encoding"/>.</exception>
    public RawValue To(BroEncoding encoding)
    {
        if (encoding == Encoding)
        {
            return this;
        }

        return encoding == BroEncoding.Json
            ? new RawValue(BroEncoding.Json, ToJsonBytes())
            : new RawValue(BroEncoding.MessagePack, ToMessagePackBytes());
    }

    private static BroException SerializationFailed<T>(Exception ex) =>
        new(ErrorCodes.SerializationFailed, $"Cannot serialize {typeof(T).Name}: {ex.Message}", inner: ex);

    private ReadOnlyMemory<byte> ToJsonBytes()
    {
        if (Encoding == BroEncoding.Json)
        {
            return Bytes;
        }

        var buffer = new ArrayBufferWriter<byte>(Bytes.Length * 2);
        using (var writer = new Utf8JsonWriter(buffer, ValueTranscoder.JsonWriterOptions))
        {
            ValueTranscoder.MessagePackToJson(Bytes, writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private byte[] ToMessagePackBytes()
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(16, Bytes.Length));
        var writer = new MessagePackWriter(buffer);
        ValueTranscoder.JsonToMessagePack(Bytes.Span, ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
