using System.Buffers.Text;
using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using MessagePack;

namespace Bro.Codecs.Internal.Values;

/// <summary>
/// <see cref="double"/>, <see cref="float"/> and <see cref="decimal"/>, written as the transcoder
/// writes the JSON number System.Text.Json prints for them: float and decimal go through their
/// shortest text so 0.1f travels as 0.1, as a Node peer reading JSON would see it.
/// </summary>
internal sealed class FloatingPointPlan(JsonTypeInfo typeInfo, TypeCode code) : ValuePlan(typeInfo)
{
    /// <summary>Longer than any shortest round-trip text of a float, double or decimal.</summary>
    private const int MaxNumberText = 64;

    public override void Write(ref MessagePackWriter writer, object value, int depth)
    {
        Span<byte> text = stackalloc byte[MaxNumberText];
        switch (value)
        {
            case double number when double.IsFinite(number):
                MessagePackNumbers.WriteDouble(ref writer, number);
                break;
            case float number when float.IsFinite(number):
                number.TryFormat(text, out var length, default, CultureInfo.InvariantCulture);
                WriteNumberText(ref writer, text[..length]);
                break;
            case decimal number:
                number.TryFormat(text, out length, default, CultureInfo.InvariantCulture);
                WriteNumberText(ref writer, text[..length]);
                break;
            default:
                // NaN and infinities: System.Text.Json refuses them unless its options say otherwise.
                WriteAsJson(ref writer, value);
                break;
        }
    }

    public override object? Read(ref MessagePackReader reader, int depth)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Integer:
                if (reader.NextCode == MessagePackCode.UInt64)
                {
                    var unsigned = reader.ReadUInt64();
                    return code switch
                    {
                        TypeCode.Double => (double)unsigned,
                        TypeCode.Single => (float)unsigned,
                        _ => (decimal)unsigned,
                    };
                }

                var integer = reader.ReadInt64();
                return code switch
                {
                    TypeCode.Double => (double)integer,
                    TypeCode.Single => (float)integer,
                    _ => (decimal)integer,
                };
            case MessagePackType.Float:
                return ReadFloat(ref reader, depth);
            default:
                return ReadAsJson(ref reader, depth);
        }
    }

    /// <summary>
    /// The number the JSON path would read: the transcoder prints a float32 with its own shortest
    /// text, so a double or decimal reads that text, not the float's binary value widened.
    /// </summary>
    private object? ReadFloat(ref MessagePackReader reader, int depth)
    {
        var probe = reader;
        double number;
        if (probe.NextCode == MessagePackCode.Float32)
        {
            var single = probe.ReadSingle();
            if (code == TypeCode.Single && float.IsFinite(single))
            {
                reader = probe;
                return single;
            }

            number = TextToDouble(single);
        }
        else
        {
            number = probe.ReadDouble();
        }

        if (!double.IsFinite(number))
        {
            // The transcoder writes null for these: let System.Text.Json say what it says to null.
            return ReadAsJson(ref reader, depth);
        }

        object? result = code switch
        {
            TypeCode.Double => number,
            TypeCode.Single => (float)number,
            _ => DoubleToDecimal(number),
        };
        if (result is null)
        {
            return ReadAsJson(ref reader, depth);
        }

        reader = probe;
        return result;
    }

    private static double TextToDouble(float single)
    {
        Span<byte> text = stackalloc byte[MaxNumberText];
        single.TryFormat(text, out var length, default, CultureInfo.InvariantCulture);
        return double.Parse(text[..length], NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static decimal? DoubleToDecimal(double number)
    {
        Span<byte> text = stackalloc byte[MaxNumberText];
        number.TryFormat(text, out var length, "R", CultureInfo.InvariantCulture);
        return decimal.TryParse(text[..length], NumberStyles.Float, CultureInfo.InvariantCulture, out var result)
            ? result
            : null;
    }

    /// <summary>Writes a number's text as <see cref="ValueTranscoder"/> writes the same JSON number.</summary>
    private static void WriteNumberText(ref MessagePackWriter writer, scoped ReadOnlySpan<byte> text)
    {
        if (Utf8Parser.TryParse(text, out long integer, out var consumed) && consumed == text.Length)
        {
            MessagePackNumbers.WriteInteger(ref writer, integer);
        }
        else if (Utf8Parser.TryParse(text, out ulong unsigned, out consumed) && consumed == text.Length)
        {
            MessagePackNumbers.WriteUnsigned(ref writer, unsigned);
        }
        else
        {
            MessagePackNumbers.WriteDouble(ref writer, double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }
    }
}
