using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Bro.Protocol;
using MessagePack;

namespace Bro.Codecs.Internal;

/// <summary>
/// Streams one value between JSON and MessagePack (reader to writer, no object tree), so a
/// gateway can join a JSON service and a MessagePack service at the cost of one pass.
/// </summary>
internal static class ValueTranscoder
{
    /// <summary>
    /// Nesting limit for both encodings. Both directions recurse on our own stack, so without
    /// it a frame of nested one-element arrays could overflow the stack. JSON is held to it by
    /// the reader (<see cref="JsonReaderOptions"/>), MessagePack by our own depth count.
    /// </summary>
    public const int MaxDepth = 256;

    public static readonly JsonReaderOptions JsonReaderOptions = new() { MaxDepth = MaxDepth };

    /// <summary>
    /// JSON bytes tokenised on this thread by <see cref="JsonToMessagePack"/>, summed over its
    /// passes. The cost of a transcoding must not grow with the nesting depth; tests hold this
    /// against the input length to prove it without timing anything.
    /// </summary>
    [ThreadStatic]
    internal static long JsonBytesRead;

    /// <summary>
    /// JSON.stringify escapes only what JSON requires; relaxed escaping comes closest
    /// (the default encoder would also escape non-ASCII text and HTML characters).
    /// </summary>
    public static readonly JsonWriterOptions JsonWriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the JSON value in <paramref name="json"/> (exactly one value) as MessagePack.</summary>
    /// <remarks>
    /// MessagePack puts a container's element count before its elements, JSON does not. Counting
    /// ahead at each container would re-read its contents once per enclosing level (cost = bytes x
    /// depth), so one pass counts the elements of every container, in document order, and a second
    /// pass writes, taking the counts in that same order: each byte is tokenised twice.
    /// </remarks>
    public static void JsonToMessagePack(ReadOnlySpan<byte> json, ref MessagePackWriter writer)
    {
        var reader = new Utf8JsonReader(json, JsonReaderOptions);
        var counts = ArrayPool<int>.Shared.Rent(64);
        try
        {
            CountElements(ref reader, ref counts);
            JsonBytesRead += reader.BytesConsumed;

            reader = new Utf8JsonReader(json, JsonReaderOptions);
            reader.Read();
            var container = 0;
            WriteJsonValue(ref reader, ref writer, counts, ref container);
            JsonBytesRead += reader.BytesConsumed;
        }
        catch (Exception ex) when (ex is not BroException)
        {
            throw CodecErrors.Malformed(
                $"Invalid JSON value at byte {reader.BytesConsumed} of {json.Length}: {ex.Message}", ex);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(counts);
        }
    }

    /// <summary>Writes the MessagePack object in <paramref name="msgpack"/> (exactly one) as JSON.</summary>
    public static void MessagePackToJson(ReadOnlyMemory<byte> msgpack, Utf8JsonWriter writer)
    {
        var reader = new MessagePackReader(msgpack);
        try
        {
            WriteMessagePackValue(ref reader, writer, 0);
        }
        catch (EndOfStreamException ex)
        {
            throw CodecErrors.Malformed(
                $"Truncated MessagePack value: {msgpack.Length} bytes end inside the value", ex);
        }
        catch (Exception ex) when (ex is not BroException)
        {
            throw CodecErrors.Malformed(
                $"Invalid MessagePack value at byte {reader.Consumed} of {msgpack.Length}: {ex.Message}", ex);
        }

        if (!reader.End)
        {
            throw CodecErrors.Malformed(
                $"{msgpack.Length - reader.Consumed} trailing bytes after a MessagePack value of {reader.Consumed} bytes");
        }
    }

    /// <summary>
    /// Skips one MessagePack value with <see cref="MaxDepth"/> enforced (the library's own
    /// <c>Skip</c> recurses without a limit).
    /// </summary>
    public static void SkipMessagePack(ref MessagePackReader reader, int depth)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Map:
                {
                    var count = reader.ReadMapHeader();
                    CheckDepth(depth, reader.Consumed);
                    for (var i = 0; i < count * 2; i++)
                    {
                        SkipMessagePack(ref reader, depth + 1);
                    }

                    break;
                }

            case MessagePackType.Array:
                {
                    var count = reader.ReadArrayHeader();
                    CheckDepth(depth, reader.Consumed);
                    for (var i = 0; i < count; i++)
                    {
                        SkipMessagePack(ref reader, depth + 1);
                    }

                    break;
                }

            default:
                reader.Skip();
                break;
        }
    }

    private static void CheckDepth(int depth, long offset)
    {
        if (depth >= MaxDepth)
        {
            throw CodecErrors.Malformed($"MessagePack value nested deeper than {MaxDepth} at byte {offset}");
        }
    }

    /// <summary>
    /// Reads the whole value (so it is validated before anything is written) and leaves in
    /// <paramref name="counts"/>[n] the element count of the n-th container opened, a map counting
    /// its pairs. The reader's <see cref="MaxDepth"/> bounds nesting for this pass and the next.
    /// </summary>
    private static void CountElements(ref Utf8JsonReader reader, ref int[] counts)
    {
        if (!reader.Read())
        {
            throw CodecErrors.Malformed("Empty JSON value");
        }

        // Ordinal of the open container at each depth; the reader's depth says which one a value is in.
        Span<int> open = stackalloc int[MaxDepth];
        var opened = 0;
        do
        {
            if (reader.TokenType is JsonTokenType.PropertyName or JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                // Only values are counted, so a map counts each pair once, by its value.
                continue;
            }

            var depth = reader.CurrentDepth;
            if (depth > 0)
            {
                counts[open[depth - 1]]++;
            }

            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                if (opened == counts.Length)
                {
                    Grow(ref counts);
                }

                counts[opened] = 0;
                open[depth] = opened++;
            }
        }
        while (reader.Read());
    }

    private static void Grow(ref int[] counts)
    {
        var larger = ArrayPool<int>.Shared.Rent(counts.Length * 2);
        counts.CopyTo(larger, 0);
        ArrayPool<int>.Shared.Return(counts);
        counts = larger;
    }

    /// <summary>
    /// Writes the value at the reader; each container takes its header's count from
    /// <paramref name="counts"/> (see <see cref="CountElements"/>) at <paramref name="container"/>,
    /// the ordinal of the next container to open, which it advances.
    /// </summary>
    private static void WriteJsonValue(
        ref Utf8JsonReader reader, ref MessagePackWriter writer, int[] counts, ref int container)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                MessagePackNumbers.WriteMapHeader(ref writer, counts[container++]);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    WriteJsonString(ref reader, ref writer);
                    reader.Read();
                    WriteJsonValue(ref reader, ref writer, counts, ref container);
                }

                break;
            case JsonTokenType.StartArray:
                writer.WriteArrayHeader(counts[container++]);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    WriteJsonValue(ref reader, ref writer, counts, ref container);
                }

                break;
            case JsonTokenType.String:
                WriteJsonString(ref reader, ref writer);
                break;
            case JsonTokenType.Number:
                WriteJsonNumber(ref reader, ref writer);
                break;
            case JsonTokenType.True:
                writer.Write(true);
                break;
            case JsonTokenType.False:
                writer.Write(false);
                break;
            case JsonTokenType.Null:
                writer.WriteNil();
                break;
            default:
                throw CodecErrors.Malformed($"Unexpected JSON token {reader.TokenType} at byte {reader.TokenStartIndex}");
        }
    }

    private static void WriteJsonString(ref Utf8JsonReader reader, ref MessagePackWriter writer)
    {
        // Unescaped strings are copied as UTF-8 without a detour through UTF-16.
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            writer.WriteString(reader.ValueSpan);
        }
        else
        {
            writer.Write(reader.GetString());
        }
    }

    private static void WriteJsonNumber(ref Utf8JsonReader reader, ref MessagePackWriter writer)
    {
        if (reader.TryGetInt64(out var integer))
        {
            MessagePackNumbers.WriteInteger(ref writer, integer);
        }
        else if (reader.TryGetUInt64(out var unsigned))
        {
            MessagePackNumbers.WriteUnsigned(ref writer, unsigned);
        }
        else if (reader.TryGetDouble(out var number))
        {
            MessagePackNumbers.WriteDouble(ref writer, number);
        }
        else
        {
            throw CodecErrors.Malformed($"JSON number at byte {reader.TokenStartIndex} does not fit a float64");
        }
    }

    /// <summary>
    /// Writes the MessagePack value at the reader as JSON and moves past it; <paramref name="depth"/>
    /// counts the containers already open around it (see <see cref="MaxDepth"/>).
    /// </summary>
    public static void WriteMessagePackValue(ref MessagePackReader reader, Utf8JsonWriter writer, int depth)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Integer:
                if (reader.NextCode == MessagePackCode.UInt64)
                {
                    writer.WriteNumberValue(reader.ReadUInt64());
                }
                else
                {
                    writer.WriteNumberValue(reader.ReadInt64());
                }

                break;
            case MessagePackType.Float:
                if (reader.NextCode == MessagePackCode.Float32)
                {
                    WriteFloat(writer, reader.ReadSingle());
                }
                else
                {
                    WriteDouble(writer, reader.ReadDouble());
                }

                break;
            case MessagePackType.String:
                WriteString(ref reader, writer, propertyName: false);
                break;
            case MessagePackType.Boolean:
                writer.WriteBooleanValue(reader.ReadBoolean());
                break;
            case MessagePackType.Nil:
                reader.ReadNil();
                writer.WriteNullValue();
                break;
            case MessagePackType.Binary:
                {
                    // JSON has no bytes; base64 is what System.Text.Json uses for byte[].
                    var bytes = reader.ReadBytes()!.Value;
                    writer.WriteBase64StringValue(bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray());
                    break;
                }

            case MessagePackType.Array:
                {
                    var count = reader.ReadArrayHeader();
                    CheckDepth(depth, reader.Consumed);
                    writer.WriteStartArray();
                    for (var i = 0; i < count; i++)
                    {
                        WriteMessagePackValue(ref reader, writer, depth + 1);
                    }

                    writer.WriteEndArray();
                    break;
                }

            case MessagePackType.Map:
                {
                    var count = reader.ReadMapHeader();
                    CheckDepth(depth, reader.Consumed);
                    writer.WriteStartObject();
                    for (var i = 0; i < count; i++)
                    {
                        WritePropertyName(ref reader, writer);
                        WriteMessagePackValue(ref reader, writer, depth + 1);
                    }

                    writer.WriteEndObject();
                    break;
                }

            case MessagePackType.Extension:
                throw CodecErrors.Malformed(
                    $"MessagePack extension type {reader.ReadExtensionFormatHeader().TypeCode} at byte {reader.Consumed} has no JSON form");
            default:
                throw CodecErrors.Malformed($"Invalid MessagePack code 0x{reader.NextCode:X2} at byte {reader.Consumed}");
        }
    }

    private static void WriteString(ref MessagePackReader reader, Utf8JsonWriter writer, bool propertyName)
    {
        if (reader.TryReadStringSpan(out var utf8))
        {
            if (propertyName)
            {
                writer.WritePropertyName(utf8);
            }
            else
            {
                writer.WriteStringValue(utf8);
            }

            return;
        }

        var text = reader.ReadString()!;
        if (propertyName)
        {
            writer.WritePropertyName(text);
        }
        else
        {
            writer.WriteStringValue(text);
        }
    }

    /// <summary>JSON keys are strings: scalar keys are converted as JavaScript would.</summary>
    private static void WritePropertyName(ref MessagePackReader reader, Utf8JsonWriter writer)
    {
        var offset = reader.Consumed;
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.String:
                WriteString(ref reader, writer, propertyName: true);
                break;
            case MessagePackType.Integer:
                writer.WritePropertyName(reader.NextCode == MessagePackCode.UInt64
                    ? reader.ReadUInt64().ToString(CultureInfo.InvariantCulture)
                    : reader.ReadInt64().ToString(CultureInfo.InvariantCulture));
                break;
            case MessagePackType.Float:
                writer.WritePropertyName(FormatNumber(reader.ReadDouble()));
                break;
            case MessagePackType.Boolean:
                writer.WritePropertyName(reader.ReadBoolean() ? "true" : "false");
                break;
            case MessagePackType.Nil:
                reader.ReadNil();
                writer.WritePropertyName("null");
                break;
            default:
                throw CodecErrors.Malformed(
                    $"MessagePack map key of type {reader.NextMessagePackType} at byte {offset} has no JSON form");
        }
    }

    /// <summary>
    /// JavaScript has one number type: a float64 with an integral value prints as an integer
    /// (1795618670882, not 1.795618670882E+12), and NaN/Infinity print as null.
    /// </summary>
    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (!double.IsFinite(value))
        {
            writer.WriteNullValue();
        }
        else if (MessagePackNumbers.TryTruncate(value, out var integer) && integer == value)
        {
            writer.WriteNumberValue(integer);
        }
        else
        {
            writer.WriteNumberValue(value);
        }
    }

    /// <summary>A float32 prints with its own shortest form (0.1, not 0.10000000149011612).</summary>
    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (!float.IsFinite(value))
        {
            writer.WriteNullValue();
        }
        else if (MessagePackNumbers.TryTruncate(value, out var integer) && integer == value)
        {
            writer.WriteNumberValue(integer);
        }
        else
        {
            writer.WriteNumberValue(value);
        }
    }

    private static string FormatNumber(double value) =>
        MessagePackNumbers.TryTruncate(value, out var integer) && integer == value
            ? integer.ToString(CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);
}
