using System.Text.Json.Serialization.Metadata;
using MessagePack;

namespace Bro.Codecs.Internal.Values;

/// <summary><see cref="string"/> as MessagePack str.</summary>
internal sealed class StringPlan(JsonTypeInfo typeInfo) : ValuePlan(typeInfo)
{
    public override void Write(ref MessagePackWriter writer, object value, int depth) => writer.Write((string)value);

    public override object? Read(ref MessagePackReader reader, int depth) =>
        reader.NextMessagePackType is MessagePackType.String or MessagePackType.Nil
            ? reader.ReadString()
            : ReadAsJson(ref reader, depth);
}
