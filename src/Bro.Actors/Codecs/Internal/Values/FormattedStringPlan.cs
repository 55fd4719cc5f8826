using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using MessagePack;

namespace Bro.Codecs.Internal.Values;

/// <summary>
/// <see cref="DateTime"/>, <see cref="DateTimeOffset"/> and <see cref="Guid"/> as the very string
/// System.Text.Json writes, formatted and parsed by its own <see cref="Utf8JsonWriter"/> and
/// <see cref="Utf8JsonReader"/> (its converters call nothing else), minus the JSON quotes.
/// </summary>
internal sealed class FormattedStringPlan(JsonTypeInfo typeInfo) : ValuePlan(typeInfo)
{
    /// <summary>Longer than any of the three formatted, quotes included.</summary>
    private const int MaxText = 72;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public override void Write(ref MessagePackWriter writer, object value, int depth)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(MaxText);
        buffer.ResetWrittenCount();
        var json = t_writer ??= new Utf8JsonWriter(buffer);
        json.Reset(buffer);
        switch (value)
        {
            case DateTime date:
                json.WriteStringValue(date);
                break;
            case DateTimeOffset date:
                json.WriteStringValue(date);
                break;
            default:
                json.WriteStringValue((Guid)value);
                break;
        }

        json.Flush();
        writer.WriteString(buffer.WrittenSpan[1..^1]);
    }

    public override object? Read(ref MessagePackReader reader, int depth)
    {
        var probe = reader;
        if (probe.NextMessagePackType != MessagePackType.String
            || !probe.TryReadStringSpan(out var text)
            || text.Length > MaxText - 2
            || text.IndexOfAny((byte)'"', (byte)'\\') >= 0)
        {
            // Escapes, odd lengths, other types: System.Text.Json's error or lenience, by the JSON path.
            return ReadAsJson(ref reader, depth);
        }

        Span<byte> quoted = stackalloc byte[text.Length + 2];
        quoted[0] = (byte)'"';
        text.CopyTo(quoted[1..]);
        quoted[^1] = (byte)'"';
        var json = new Utf8JsonReader(quoted);
        json.Read();
        object? parsed = TypeInfo.Type == typeof(DateTime) ? json.TryGetDateTime(out var date) ? date : null
            : TypeInfo.Type == typeof(DateTimeOffset) ? json.TryGetDateTimeOffset(out var offset) ? offset : null
            : json.TryGetGuid(out var guid) ? guid : null;
        if (parsed is null)
        {
            return ReadAsJson(ref reader, depth);
        }

        reader = probe;
        return parsed;
    }
}
