using System.Text.Json.Serialization.Metadata;
using MessagePack;

namespace Bro.Codecs.Internal.Values;

/// <summary>
/// How one type travels as MessagePack: built once per type and options by
/// <see cref="MessagePackValueSerializer"/>, then shared by every thread (plans hold no state
/// that changes after they are built, except lazily resolved plans of member types).
/// </summary>
/// <remarks>
/// Values are handled boxed, as System.Text.Json's public contract model hands them out
/// (<see cref="JsonPropertyInfo.Get"/> returns <c>object?</c>), so one plan serves every use of its type.
/// </remarks>
internal abstract class ValuePlan
{
    protected ValuePlan(JsonTypeInfo typeInfo) => TypeInfo = typeInfo;

    /// <summary>System.Text.Json's contract for the type, which the fallback path serializes with.</summary>
    public JsonTypeInfo TypeInfo { get; }

    /// <summary>
    /// Writes <paramref name="value"/>, which is not <c>null</c> (callers write nil themselves);
    /// <paramref name="depth"/> counts the containers open around it, bounded by the options' <c>MaxDepth</c>.
    /// </summary>
    public abstract void Write(ref MessagePackWriter writer, object value, int depth);

    /// <summary>Reads one value, nil included, into the type; <paramref name="depth"/> as for <see cref="Write"/>.</summary>
    public abstract object? Read(ref MessagePackReader reader, int depth);

    /// <summary>Writes nil for <c>null</c>, else the value.</summary>
    public void WriteNullable(ref MessagePackWriter writer, object? value, int depth)
    {
        if (value is null)
        {
            writer.WriteNil();
        }
        else
        {
            Write(ref writer, value, depth);
        }
    }

    /// <summary>
    /// Reads what this plan has no native reading for (a type it does not expect, nil into a value
    /// type, a number out of range) the way the JSON path does, so errors and lenient readings
    /// (numbers from strings under <c>AllowReadingFromString</c>) stay System.Text.Json's.
    /// </summary>
    protected object? ReadAsJson(ref MessagePackReader reader, int depth) => JsonFallback.Read(ref reader, TypeInfo, depth);

    /// <summary>Writes through System.Text.Json and the transcoder, for values with no native form.</summary>
    protected void WriteAsJson(ref MessagePackWriter writer, object value) => JsonFallback.Write(ref writer, value, TypeInfo);
}
