using System.Buffers;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using MessagePack;

namespace Bro.Codecs.Internal.Values;

/// <summary>
/// A class, struct or record as a MessagePack map with the keys, order and omissions of the JSON
/// System.Text.Json writes for it; read back by the same names (case as the options say),
/// through its parameterless constructor or the constructor System.Text.Json would call.
/// </summary>
internal sealed class ObjectPlan : ValuePlan
{
    /// <summary>Keys up to this many UTF-8 bytes are matched without allocating a string.</summary>
    private const int MaxStackKey = 256;

    private readonly MessagePackValueSerializer _owner;
    private readonly PropertyPlan[] _written;
    private readonly PropertyPlan[] _read;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _byName;
    private readonly Func<object>? _create;
    private readonly ConstructorInvoker? _constructor;
    private readonly object?[] _defaultArguments;
    private readonly bool _hasRequired;

    private ObjectPlan(
        JsonTypeInfo typeInfo, MessagePackValueSerializer owner, Func<object>? create, ConstructorInfo? constructor)
        : base(typeInfo)
    {
        _owner = owner;
        var properties = typeInfo.Properties.Select(p => new PropertyPlan(owner, p)).ToArray();
        _written = [.. properties.Where(p => p.Get is not null)];
        _create = create;
        _read = [.. properties.Where(p => p.Set is not null || (constructor is not null && p.ParameterPosition >= 0))];
        _hasRequired = _read.Any(p => p.IsRequired);
        var byName = new Dictionary<string, int>(
            owner.Options.PropertyNameCaseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        for (var i = 0; i < _read.Length; i++)
        {
            byName.TryAdd(_read[i].Name, i);
        }

        _byName = byName.GetAlternateLookup<ReadOnlySpan<char>>();
        _defaultArguments = [];
        if (constructor is not null)
        {
            _constructor = ConstructorInvoker.Create(constructor);
            _defaultArguments = DefaultArguments(constructor, typeInfo);
        }
    }

    /// <summary>
    /// The plan for an object contract, or <c>null</c> when System.Text.Json would do something
    /// the plan does not (polymorphism, extension data, callbacks, per-member converters or number
    /// handling, populating, refusing unknown members) or no constructor can be called.
    /// </summary>
    public static ObjectPlan? TryCreate(JsonTypeInfo typeInfo, MessagePackValueSerializer owner)
    {
        if (typeInfo.PolymorphismOptions is not null
            || typeInfo.NumberHandling is not null
            || typeInfo.UnmappedMemberHandling == JsonUnmappedMemberHandling.Disallow
            || typeInfo.PreferredPropertyObjectCreationHandling == JsonObjectCreationHandling.Populate
            || typeInfo.OnSerializing is not null || typeInfo.OnSerialized is not null
            || typeInfo.OnDeserializing is not null || typeInfo.OnDeserialized is not null
            || typeInfo.Properties.Any(p => p.CustomConverter is not null || p.NumberHandling is not null
                || p.IsExtensionData || p.ObjectCreationHandling == JsonObjectCreationHandling.Populate))
        {
            return null;
        }

        if (typeInfo.CreateObject is { } create && !typeInfo.Properties.Any(p => p.AssociatedParameter is not null))
        {
            return new ObjectPlan(typeInfo, owner, create, constructor: null);
        }

        return typeInfo.ConstructorAttributeProvider is ConstructorInfo constructor && !typeInfo.Type.IsAbstract
            ? new ObjectPlan(typeInfo, owner, create: null, constructor)
            : null;
    }

    public override void Write(ref MessagePackWriter writer, object value, int depth)
    {
        _owner.CheckDepth(depth);

        // The map header counts the properties written, so values are read (once) before it.
        var count = _written.Length;
        var values = ArrayPool<object?>.Shared.Rent(count);
        Span<bool> included = count <= 256 ? stackalloc bool[count] : new bool[count];
        try
        {
            var written = 0;
            for (var i = 0; i < count; i++)
            {
                var property = _written[i];
                var propertyValue = property.Get!(value);
                if (property.ShouldWrite(value, propertyValue))
                {
                    values[i] = propertyValue;
                    included[i] = true;
                    written++;
                }
            }

            MessagePackNumbers.WriteMapHeader(ref writer, written);
            for (var i = 0; i < count; i++)
            {
                if (included[i])
                {
                    writer.WriteString(_written[i].NameUtf8);
                    _written[i].Plan.WriteNullable(ref writer, values[i], depth + 1);
                }
            }
        }
        finally
        {
            Array.Clear(values, 0, count);
            ArrayPool<object?>.Shared.Return(values);
        }
    }

    public override object? Read(ref MessagePackReader reader, int depth)
    {
        if (reader.NextMessagePackType == MessagePackType.Nil && !TypeInfo.Type.IsValueType)
        {
            reader.ReadNil();
            return null;
        }

        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            return ReadAsJson(ref reader, depth);
        }

        var start = reader;
        var count = reader.ReadMapHeader();
        _owner.CheckDepth(depth);
        var target = _create?.Invoke();
        var arguments = _constructor is null ? null : (object?[])_defaultArguments.Clone();

        // Set after construction: properties no constructor parameter takes.
        var later = _constructor is null ? null : new object?[_read.Length];
        Span<bool> seen = _read.Length <= 256 ? stackalloc bool[_read.Length] : new bool[_read.Length];
        for (var i = 0; i < count; i++)
        {
            if (reader.NextMessagePackType != MessagePackType.String)
            {
                // A key JSON would print as a string (a number, say): the JSON path knows that.
                reader = start;
                return ReadAsJson(ref reader, depth);
            }

            var index = FindProperty(ref reader);
            if (index < 0)
            {
                ValueTranscoder.SkipMessagePack(ref reader, depth + 1);
                continue;
            }

            var property = _read[index];
            var value = property.Plan.Read(ref reader, depth + 1);
            seen[index] = true;
            if (arguments is not null && property.ParameterPosition >= 0)
            {
                arguments[property.ParameterPosition] = value;
            }
            else if (later is not null)
            {
                later[index] = value;
            }
            else
            {
                property.Set!(target!, value);
            }
        }

        if (_hasRequired)
        {
            CheckRequired(seen);
        }

        if (arguments is null)
        {
            return target;
        }

        target = _constructor!.Invoke(arguments.AsSpan());
        for (var i = 0; i < _read.Length; i++)
        {
            if (seen[i] && _read[i].ParameterPosition < 0)
            {
                _read[i].Set!(target, later![i]);
            }
        }

        return target;
    }

    private int FindProperty(ref MessagePackReader reader)
    {
        if (!reader.TryReadStringSpan(out var utf8))
        {
            return _byName.Dictionary.TryGetValue(reader.ReadString()!, out var found) ? found : -1;
        }

        Span<char> chars = utf8.Length <= MaxStackKey ? stackalloc char[utf8.Length] : new char[utf8.Length];
        var length = Encoding.UTF8.GetChars(utf8, chars);
        return _byName.TryGetValue(chars[..length], out var index) ? index : -1;
    }

    private void CheckRequired(ReadOnlySpan<bool> seen)
    {
        for (var i = 0; i < _read.Length; i++)
        {
            if (_read[i].IsRequired && !seen[i])
            {
                throw new JsonException(
                    $"'{TypeInfo.Type.Name}' misses required property '{_read[i].Name}'");
            }
        }
    }

    /// <summary>
    /// The arguments a constructor gets for parameters the value does not carry: the parameter's
    /// default if it declares one, else the type's default, as System.Text.Json passes.
    /// </summary>
    private static object?[] DefaultArguments(ConstructorInfo constructor, JsonTypeInfo typeInfo)
    {
        var parameters = constructor.GetParameters();
        var arguments = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            var type = parameters[i].ParameterType;
            arguments[i] = type.IsValueType && Nullable.GetUnderlyingType(type) is null
                ? RuntimeHelpers.GetUninitializedObject(type)
                : null;
        }

        foreach (var property in typeInfo.Properties)
        {
            if (property.AssociatedParameter is { HasDefaultValue: true } parameter)
            {
                arguments[parameter.Position] = parameter.DefaultValue;
            }
        }

        return arguments;
    }
}
