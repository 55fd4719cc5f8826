using System.Text.Json.Serialization.Metadata;
using MessagePack;

namespace Bro.Codecs.Internal.Values;

/// <summary><see cref="bool"/> as MessagePack true/false.</summary>
internal sealed class BooleanPlan(JsonTypeInfo typeInfo) : ValuePlan(typeInfo)
{
    private static readonly object True = true;
    private static readonly object False = false;

    public override void Write(ref MessagePackWriter writer, object value, int depth) => writer.Write((bool)value);

    public override object? Read(ref MessagePackReader reader, int depth) =>
        reader.NextMessagePackType == MessagePackType.Boolean
            ? reader.ReadBoolean() ? True : False
            : ReadAsJson(ref reader, depth);
}
