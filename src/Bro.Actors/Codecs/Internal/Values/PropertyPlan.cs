using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Bro.Codecs.Internal.Values;

/// <summary>
/// One property of an <see cref="ObjectPlan"/>, taken from System.Text.Json's contract: its
/// name after the naming policy and <c>[JsonPropertyName]</c>, its accessors, and whether a
/// value is written under the options' ignore condition.
/// </summary>
internal sealed class PropertyPlan
{
    private readonly MessagePackValueSerializer _owner;
    private readonly Func<object, object?, bool>? _shouldSerialize;
    private readonly bool _ignoreNull;
    private readonly object? _ignoredDefault;
    private ValuePlan? _plan;

    public PropertyPlan(MessagePackValueSerializer owner, JsonPropertyInfo info)
    {
        _owner = owner;
        Name = info.Name;
        NameUtf8 = Encoding.UTF8.GetBytes(info.Name);
        Type = info.PropertyType;
        Get = info.Get;
        Set = info.Set;
        IsRequired = info.IsRequired;
        ParameterPosition = info.AssociatedParameter?.Position ?? -1;
        _shouldSerialize = info.ShouldSerialize;

        // The options' DefaultIgnoreCondition is not in the contract's ShouldSerialize; a
        // [JsonIgnore(Condition = ...)] on the member is, and replaces the options' condition.
        var ignore = info.AttributeProvider?.IsDefined(typeof(JsonIgnoreAttribute), inherit: true) == true
            ? JsonIgnoreCondition.Never
            : owner.Options.DefaultIgnoreCondition;
        _ignoreNull = ignore is JsonIgnoreCondition.WhenWritingNull or JsonIgnoreCondition.WhenWritingDefault;
        if (ignore == JsonIgnoreCondition.WhenWritingDefault && Type.IsValueType && Nullable.GetUnderlyingType(Type) is null)
        {
            _ignoredDefault = RuntimeHelpers.GetUninitializedObject(Type);
        }
    }

    /// <summary>The name on the wire.</summary>
    public string Name { get; }

    /// <summary><see cref="Name"/> encoded once, written as each map key.</summary>
    public byte[] NameUtf8 { get; }

    public Type Type { get; }

    /// <summary>The getter; <c>null</c> when the property is never written (ignored, or write-only).</summary>
    public Func<object, object?>? Get { get; }

    /// <summary>The setter (init-only included); <c>null</c> when only a constructor parameter can set it.</summary>
    public Action<object, object?>? Set { get; }

    public bool IsRequired { get; }

    /// <summary>Position of the constructor parameter this property binds to, or -1.</summary>
    public int ParameterPosition { get; }

    /// <summary>
    /// The plan of the property's declared type, resolved on first use: a type may hold itself,
    /// so plans of members cannot all be built with their owner. Racing threads resolve the
    /// same shared plan.
    /// </summary>
    public ValuePlan Plan => _plan ??= _owner.PlanFor(Type);

    /// <summary>Whether <paramref name="value"/>, read from <paramref name="owner"/>, is written.</summary>
    public bool ShouldWrite(object owner, object? value)
    {
        if (_shouldSerialize is not null && !_shouldSerialize(owner, value))
        {
            return false;
        }

        return value is null ? !_ignoreNull : _ignoredDefault is null || !_ignoredDefault.Equals(value);
    }
}
