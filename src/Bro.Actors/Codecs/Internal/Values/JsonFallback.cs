using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MessagePack;

namespace Bro.Codecs.Internal.Values;

/// <summary>
/// The JSON path for one sub-value: System.Text.Json to JSON, then the transcoder (and back).
/// Used for whatever the MessagePack plans do not handle natively (custom converters, enums as
/// names, TimeSpan, JSON elements), so any value System.Text.Json accepts keeps working.
/// </summary>
/// <remarks>The scratch buffer and JSON writer are kept per thread, between uses.</remarks>
internal static class JsonFallback
{
    /// <summary>A buffer grown past this by one large value is let go rather than kept per thread.</summary>
    private const int MaxRetainedBytes = 1024 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static void Write(ref MessagePackWriter writer, object value, JsonTypeInfo typeInfo)
    {
        var json = RentWriter(out var buffer);
        try
        {
            JsonSerializer.Serialize(json, value, typeInfo);
            json.Flush();
            ValueTranscoder.JsonToMessagePack(buffer.WrittenSpan, ref writer);
        }
        finally
        {
            Return(json, buffer);
        }
    }

    public static object? Read(ref MessagePackReader reader, JsonTypeInfo typeInfo, int depth)
    {
        var json = RentWriter(out var buffer);
        try
        {
            ValueTranscoder.WriteMessagePackValue(ref reader, json, depth);
            json.Flush();
            return JsonSerializer.Deserialize(buffer.WrittenSpan, typeInfo);
        }
        finally
        {
            Return(json, buffer);
        }
    }

    /// <summary>
    /// Takes this thread's writer and buffer (or new ones): a user converter may serialize a
    /// value of its own in turn, which then gets fresh ones rather than these, half-written.
    /// </summary>
    private static Utf8JsonWriter RentWriter(out ArrayBufferWriter<byte> buffer)
    {
        buffer = t_buffer ?? new ArrayBufferWriter<byte>(256);
        var writer = t_writer;
        t_buffer = null;
        t_writer = null;
        if (writer is null)
        {
            return new Utf8JsonWriter(buffer, ValueTranscoder.JsonWriterOptions);
        }

        writer.Reset(buffer);
        return writer;
    }

    private static void Return(Utf8JsonWriter writer, ArrayBufferWriter<byte> buffer)
    {
        // A failed serialization may leave the writer mid-value: Reset clears its state too.
        writer.Reset();
        t_writer = writer;
        if (buffer.Capacity <= MaxRetainedBytes)
        {
            buffer.ResetWrittenCount();
            t_buffer = buffer;
        }
    }
}
