using System.Text.Json.Serialization.Metadata;
using MessagePack;

namespace Bro.Codecs.Internal.Values;

/// <summary>
/// An enum System.Text.Json writes as a number (its default): the underlying integer. Enums it
/// writes as strings (<c>JsonStringEnumConverter</c>, naming policies) take the JSON path, which
/// knows their names.
/// </summary>
internal sealed class EnumPlan(JsonTypeInfo typeInfo) : ValuePlan(typeInfo)
{
    private readonly TypeCode _underlying = Type.GetTypeCode(Enum.GetUnderlyingType(typeInfo.Type));

    public override void Write(ref MessagePackWriter writer, object value, int depth)
    {
        if (_underlying == TypeCode.UInt64)
        {
            MessagePackNumbers.WriteUnsigned(ref writer, Convert.ToUInt64(value, null));
        }
        else
        {
            MessagePackNumbers.WriteInteger(ref writer, Convert.ToInt64(value, null));
        }
    }

    public override object? Read(ref MessagePackReader reader, int depth) =>
        reader.NextMessagePackType is MessagePackType.Integer or MessagePackType.Float
            && IntegerPlan.TryRead(ref reader, _underlying, out var boxed)
            ? Enum.ToObject(TypeInfo.Type, boxed!)
            : ReadAsJson(ref reader, depth);
}
