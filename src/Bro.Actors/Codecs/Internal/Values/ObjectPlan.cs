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
/// through its parameterless constructor or the constructor System.Text.Json would call (a type
/// with neither is written natively and read by the JSON path).
/// </summary>
internal sealed class ObjectPlan : ValuePlan
{
    /// <summary>Keys up to this many UTF-8 bytes are matched without allocating a string.</summary>
    private const int MaxStackKey = 256;

    private const int UnknownKey = -1;
    private const int KeyNotString = -2;

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
    /// handling, populating, refusing unknown members).
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

        return new ObjectPlan(typeInfo, owner, create: null, CallableConstructor(typeInfo));
    }

    /// <summary>
    /// The constructor System.Text.Json calls, if its parameters are all the contract binds:
    /// source-generated contracts also pass init-only properties as extra "parameters" of a
    /// generated factory, which no constructor takes (those types are read by the JSON path).
    /// </summary>
    private static ConstructorInfo? CallableConstructor(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Type.IsAbstract || typeInfo.ConstructorAttributeProvider is not ConstructorInfo constructor)
        {
            return null;
        }

        var count = constructor.GetParameters().Length;
        return typeInfo.Properties.All(p => p.AssociatedParameter is null || p.AssociatedParameter.Position < count)
            ? constructor
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

        if (_create is null && _constructor is null)
        {
            return ReadAsJson(ref reader, depth);
        }

        var start = reader;
        var count = reader.ReadMapHeader();
        _owner.CheckDepth(depth);
        if (_constructor is null)
        {
            return ReadIntoNew(ref reader, ref start, count, depth);
        }

        // Constructor arguments and the values of the other properties, set once it has run.
        var values = ArrayPool<object?>.Shared.Rent(_read.Length + _defaultArguments.Length);
        try
        {
            Array.Clear(values, 0, _read.Length);
            Array.Copy(_defaultArguments, 0, values, _read.Length, _defaultArguments.Length);
            Span<bool> seen = _read.Length <= 256 ? stackalloc bool[_read.Length] : new bool[_read.Length];
            for (var i = 0; i < count; i++)
            {
                var index = ReadKey(ref reader, ref start, i, depth);
                if (index == KeyNotString)
                {
                    return ReadAsJson(ref reader, depth);
                }

                if (index == UnknownKey)
                {
                    continue;
                }

                var property = _read[index];
                var value = property.Plan.Read(ref reader, depth + 1);
                seen[index] = true;
                values[property.ParameterPosition >= 0 ? _read.Length + property.ParameterPosition : index] = value;
            }

            CheckRequired(seen);
            var target = _constructor.Invoke(values.AsSpan(_read.Length, _defaultArguments.Length));
            for (var i = 0; i < _read.Length; i++)
            {
                if (seen[i] && _read[i].ParameterPosition < 0)
                {
                    _read[i].Set!(target, values[i]);
                }
            }

            return target;
        }
        finally
        {
            Array.Clear(values, 0, _read.Length + _defaultArguments.Length);
            ArrayPool<object?>.Shared.Return(values);
        }
    }

    /// <summary>Reads the map's entries into an instance made by the parameterless constructor.</summary>
    private object? ReadIntoNew(ref MessagePackReader reader, ref MessagePackReader start, int count, int depth)
    {
        var target = _create!();
        Span<bool> seen = _read.Length <= 256 ? stackalloc bool[_read.Length] : new bool[_read.Length];
        for (var i = 0; i < count; i++)
        {
            var index = ReadKey(ref reader, ref start, i, depth);
            if (index == KeyNotString)
            {
                return ReadAsJson(ref reader, depth);
            }

            if (index == UnknownKey)
            {
                continue;
            }

            var property = _read[index];
            property.Set!(target, property.Plan.Read(ref reader, depth + 1));
            seen[index] = true;
        }

        CheckRequired(seen);
        return target;
    }

    /// <summary>
    /// Reads the <paramref name="ordinal"/>-th key and returns its property's index. An unknown
    /// key's value is skipped (<see cref="UnknownKey"/>); a key that is not a string rewinds the
    /// reader to <paramref name="start"/> (<see cref="KeyNotString"/>) for the JSON path, which
    /// turns such keys into strings.
    /// </summary>
    private int ReadKey(ref MessagePackReader reader, ref MessagePackReader start, int ordinal, int depth)
    {
        if (reader.NextMessagePackType != MessagePackType.String)
        {
            reader = start;
            return KeyNotString;
        }

        var index = FindProperty(ref reader, ordinal);
        if (index < 0)
        {
            ValueTranscoder.SkipMessagePack(ref reader, depth + 1);
            return UnknownKey;
        }

        return index;
    }

    /// <summary>
    /// The index of the property named by the key at the reader, or -1. Writers (this one,
    /// System.Text.Json through the transcoder, msgpackr for a class) mostly send keys in
    /// declaration order, so the <paramref name="ordinal"/>-th property is tried first, byte
    /// for byte, before the name is decoded and looked up.
    /// </summary>
    private int FindProperty(ref MessagePackReader reader, int ordinal)
    {
        if (!reader.TryReadStringSpan(out var utf8))
        {
            return _byName.Dictionary.TryGetValue(reader.ReadString()!, out var found) ? found : -1;
        }

        if (ordinal < _read.Length && utf8.SequenceEqual(_read[ordinal].NameUtf8))
        {
            return ordinal;
        }

        Span<char> chars = utf8.Length <= MaxStackKey ? stackalloc char[utf8.Length] : new char[utf8.Length];
        var length = Encoding.UTF8.GetChars(utf8, chars);
        return _byName.TryGetValue(chars[..length], out var index) ? index : -1;
    }

    private void CheckRequired(ReadOnlySpan<bool> seen)
    {
        if (!_hasRequired)
        {
            return;
        }

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
