using System.Buffers.Binary;
using MessagePack;

namespace Bro.Codecs.Internal;

/// <summary>
/// Writes numbers and maps the way msgpackr (the library of <c>ipc-bro</c>) does, so Node peers
/// read plain JavaScript numbers: msgpackr decodes int64/uint64 as BigInt, hence integers
/// outside the int32/uint32 range (epoch milliseconds included) travel as float64.
/// </summary>
internal static class MessagePackNumbers
{
    private const double TwoPow63 = 9223372036854775808d;
    private const double TwoPow64 = 18446744073709551616d;

    public static void WriteInteger(ref MessagePackWriter writer, long value)
    {
        if (value >= int.MinValue && value <= uint.MaxValue)
        {
            writer.Write(value);
        }
        else if (IsExactDouble(value))
        {
            writer.Write((double)value);
        }
        else
        {
            // A float64 would change the value; int64 keeps it (a Node peer gets a BigInt).
            writer.Write(value);
        }
    }

    public static void WriteUnsigned(ref MessagePackWriter writer, ulong value)
    {
        if (value <= long.MaxValue)
        {
            WriteInteger(ref writer, (long)value);
            return;
        }

        double asDouble = value;
        if (asDouble < TwoPow64 && (ulong)asDouble == value)
        {
            writer.Write(asDouble);
        }
        else
        {
            writer.Write(value);
        }
    }

    public static void WriteDouble(ref MessagePackWriter writer, double value)
    {
        // msgpackr writes every integral number that fits int32/uint32 as an int.
        if (Math.Floor(value) == value && value >= int.MinValue && value <= uint.MaxValue)
        {
            writer.Write((long)value);
        }
        else
        {
            writer.Write(value);
        }
    }

    /// <summary>msgpackr writes every object as map16 (map32 beyond 65535 entries); so do we.</summary>
    public static void WriteMapHeader(ref MessagePackWriter writer, int count)
    {
        if (count <= ushort.MaxValue)
        {
            var span = writer.GetSpan(3);
            span[0] = MessagePackCode.Map16;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)count);
            writer.Advance(3);
        }
        else
        {
            var span = writer.GetSpan(5);
            span[0] = MessagePackCode.Map32;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)count);
            writer.Advance(5);
        }
    }

    /// <summary>
    /// Reads any MessagePack number as an integer: every int width, and float32/float64
    /// (truncated toward zero, since a JavaScript peer may compute a fractional deadline).
    /// Returns <c>false</c> when the next value is not a number or does not fit.
    /// </summary>
    public static bool TryReadInt64(ref MessagePackReader reader, out long value)
    {
        value = 0;
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Integer:
                if (reader.NextCode == MessagePackCode.UInt64)
                {
                    var unsigned = reader.ReadUInt64();
                    if (unsigned > long.MaxValue)
                    {
                        return false;
                    }

                    value = (long)unsigned;
                    return true;
                }

                value = reader.ReadInt64();
                return true;
            case MessagePackType.Float:
                return TryTruncate(reader.ReadDouble(), out value);
            default:
                reader.Skip();
                return false;
        }
    }

    public static bool TryTruncate(double number, out long value)
    {
        value = 0;
        if (!double.IsFinite(number))
        {
            return false;
        }

        var truncated = Math.Truncate(number);
        if (truncated < -TwoPow63 || truncated >= TwoPow63)
        {
            return false;
        }

        value = (long)truncated;
        return true;
    }

    private static bool IsExactDouble(long value)
    {
        double asDouble = value;
        return asDouble < TwoPow63 && (long)asDouble == value;
    }
}
