using System.Text.Json.Serialization.Metadata;
using MessagePack;

namespace Bro.Codecs.Internal.Values;

/// <summary>
/// The eight integer types, written as the transcoder writes the same JSON number (msgpackr's
/// rules, <see cref="MessagePackNumbers"/>), and read from any MessagePack number holding an
/// integer that fits (msgpackr writes large integers as float64).
/// </summary>
internal sealed class IntegerPlan(JsonTypeInfo typeInfo, TypeCode code) : ValuePlan(typeInfo)
{
    public override void Write(ref MessagePackWriter writer, object value, int depth)
    {
        switch (value)
        {
            case int common:
                MessagePackNumbers.WriteInteger(ref writer, common);
                break;
            case ulong unsigned:
                MessagePackNumbers.WriteUnsigned(ref writer, unsigned);
                break;
            case long signed:
                MessagePackNumbers.WriteInteger(ref writer, signed);
                break;
            default:
                MessagePackNumbers.WriteInteger(ref writer, Convert.ToInt64(value, null));
                break;
        }
    }

    public override object? Read(ref MessagePackReader reader, int depth) =>
        TryRead(ref reader, code, out var boxed) ? boxed : ReadAsJson(ref reader, depth);

    /// <summary>
    /// Reads an integer that fits <paramref name="code"/>'s type from any MessagePack number,
    /// boxed as that type; otherwise returns <c>false</c> and leaves the reader where it was, so
    /// the JSON path can read the value again from its start.
    /// </summary>
    public static bool TryRead(ref MessagePackReader reader, TypeCode code, out object? boxed)
    {
        var probe = reader;
        boxed = null;
        switch (probe.NextMessagePackType)
        {
            case MessagePackType.Integer when probe.NextCode == MessagePackCode.UInt64:
                var unsigned = probe.ReadUInt64();
                boxed = unsigned <= long.MaxValue ? Box((long)unsigned, code) : code == TypeCode.UInt64 ? unsigned : null;
                break;
            case MessagePackType.Integer:
                boxed = Box(probe.ReadInt64(), code);
                break;
            case MessagePackType.Float:
                var number = probe.ReadDouble();
                if (MessagePackNumbers.TryTruncate(number, out var integer) && integer == number)
                {
                    boxed = Box(integer, code);
                }

                break;
        }

        if (boxed is null)
        {
            return false;
        }

        reader = probe;
        return true;
    }

    /// <summary>The value boxed as <paramref name="code"/>'s type, or <c>null</c> when it does not fit.</summary>
    private static object? Box(long value, TypeCode code) => code switch
    {
        TypeCode.SByte => value is >= sbyte.MinValue and <= sbyte.MaxValue ? (sbyte)value : null,
        TypeCode.Byte => value is >= byte.MinValue and <= byte.MaxValue ? (byte)value : null,
        TypeCode.Int16 => value is >= short.MinValue and <= short.MaxValue ? (short)value : null,
        TypeCode.UInt16 => value is >= ushort.MinValue and <= ushort.MaxValue ? (ushort)value : null,
        TypeCode.Int32 => value is >= int.MinValue and <= int.MaxValue ? (int)value : null,
        TypeCode.UInt32 => value is >= uint.MinValue and <= uint.MaxValue ? (uint)value : null,
        TypeCode.Int64 => value,
        _ => value >= 0 ? (ulong)value : null,
    };
}
