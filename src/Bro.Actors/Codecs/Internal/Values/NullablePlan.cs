using System.Text.Json.Serialization.Metadata;
using MessagePack;

namespace Bro.Codecs.Internal.Values;

/// <summary><see cref="Nullable{T}"/>: nil, or the underlying value (a boxed <c>T?</c> is a boxed <c>T</c>).</summary>
internal sealed class NullablePlan(JsonTypeInfo typeInfo, ValuePlan underlying) : ValuePlan(typeInfo)
{
    public override void Write(ref MessagePackWriter writer, object value, int depth) =>
        underlying.Write(ref writer, value, depth);

    public override object? Read(ref MessagePackReader reader, int depth) =>
        reader.TryReadNil() ? null : underlying.Read(ref reader, depth);
}
