using System.Collections;
using System.Text.Json.Serialization.Metadata;
using MessagePack;

namespace Bro.Codecs.Internal.Values;

/// <summary>
/// Dictionaries with string keys as a MessagePack map, keys through the options'
/// <c>DictionaryKeyPolicy</c> on the way out, as System.Text.Json writes them.
/// </summary>
internal sealed class DictionaryPlan : ValuePlan
{
    private readonly MessagePackValueSerializer _owner;
    private readonly Type _valueType;
    private readonly Func<IDictionary> _create;
    private ValuePlan? _value;

    private DictionaryPlan(JsonTypeInfo typeInfo, MessagePackValueSerializer owner, Func<IDictionary> create)
        : base(typeInfo)
    {
        _owner = owner;
        _valueType = typeInfo.ElementType!;
        _create = create;
    }

    /// <summary>Resolved on first use, as a dictionary may hold itself (see <see cref="PropertyPlan.Plan"/>).</summary>
    private ValuePlan Value => _value ??= _owner.PlanFor(_valueType);

    /// <summary>The plan, or <c>null</c> for keys other than strings or a dictionary it cannot build.</summary>
    public static DictionaryPlan? TryCreate(JsonTypeInfo typeInfo, MessagePackValueSerializer owner)
    {
        if (typeInfo.KeyType != typeof(string))
        {
            return null;
        }

        if (typeInfo.CreateObject is { } create && create() is IDictionary)
        {
            return new DictionaryPlan(typeInfo, owner, () => (IDictionary)create());
        }

        // IDictionary<string, T>, IReadOnlyDictionary<string, T>: System.Text.Json reads a Dictionary.
        var dictionary = MessagePackValueSerializer.ConstructedType(typeof(Dictionary<,>), typeof(string), typeInfo.ElementType!);
        return typeInfo.Type.IsInterface && dictionary is not null && typeInfo.Type.IsAssignableFrom(dictionary)
            ? new DictionaryPlan(typeInfo, owner, () => (IDictionary)Activator.CreateInstance(dictionary)!)
            : null;
    }

    public override void Write(ref MessagePackWriter writer, object value, int depth)
    {
        if (value is not IDictionary dictionary)
        {
            WriteAsJson(ref writer, value);
            return;
        }

        _owner.CheckDepth(depth);
        MessagePackNumbers.WriteMapHeader(ref writer, dictionary.Count);
        var policy = _owner.Options.DictionaryKeyPolicy;
        var plan = Value;
        var entries = dictionary.GetEnumerator();
        while (entries.MoveNext())
        {
            var key = (string)entries.Key;
            writer.Write(policy is null ? key : policy.ConvertName(key));
            plan.WriteNullable(ref writer, entries.Value, depth + 1);
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
        var dictionary = _create();
        var plan = Value;
        for (var i = 0; i < count; i++)
        {
            if (reader.NextMessagePackType != MessagePackType.String)
            {
                // A key JSON would print as a string (a number, say): the JSON path knows that.
                reader = start;
                return ReadAsJson(ref reader, depth);
            }

            var key = reader.ReadString()!;
            dictionary[key] = plan.Read(ref reader, depth + 1);
        }

        return dictionary;
    }
}
