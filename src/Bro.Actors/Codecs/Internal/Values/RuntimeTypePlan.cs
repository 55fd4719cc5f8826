using System.Text.Json.Serialization.Metadata;
using MessagePack;

namespace Bro.Codecs.Internal.Values;

/// <summary>
/// A value declared as <see cref="object"/>: written by the plan of its runtime type, as
/// System.Text.Json does; read as System.Text.Json reads <c>object</c> (a <c>JsonElement</c>,
/// or a <c>JsonNode</c> when the options say so), through the JSON path.
/// </summary>
internal sealed class RuntimeTypePlan(JsonTypeInfo typeInfo, MessagePackValueSerializer owner) : ValuePlan(typeInfo)
{
    public override void Write(ref MessagePackWriter writer, object value, int depth)
    {
        var type = value.GetType();
        if (type == typeof(object))
        {
            // A bare object has no properties: System.Text.Json writes {}.
            MessagePackNumbers.WriteMapHeader(ref writer, 0);
            return;
        }

        owner.PlanFor(type).Write(ref writer, value, depth);
    }

    public override object? Read(ref MessagePackReader reader, int depth) => ReadAsJson(ref reader, depth);
}
