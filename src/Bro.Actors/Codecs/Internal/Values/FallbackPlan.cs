using System.Text.Json.Serialization.Metadata;
using MessagePack;

namespace Bro.Codecs.Internal.Values;

/// <summary>
/// A type the plans do not handle natively (a custom converter, <c>TimeSpan</c>, <c>JsonElement</c>, a
/// polymorphic or reference-preserving contract): System.Text.Json and the transcoder, as before.
/// </summary>
internal sealed class FallbackPlan(JsonTypeInfo typeInfo) : ValuePlan(typeInfo)
{
    public override void Write(ref MessagePackWriter writer, object value, int depth) => WriteAsJson(ref writer, value);

    public override object? Read(ref MessagePackReader reader, int depth) => ReadAsJson(ref reader, depth);
}
