using System.Collections;
using System.Text.Json.Serialization.Metadata;
using MessagePack;

namespace Bro.Codecs.Internal.Values;

/// <summary>
/// Arrays, lists and the collection interfaces System.Text.Json reads as a list, as a MessagePack
/// array. Sets, immutable and other collections take the JSON path.
/// </summary>
internal sealed class CollectionPlan : ValuePlan
{
    private readonly MessagePackValueSerializer _owner;
    private readonly Type _elementType;
    private readonly Func<int, IList> _create;
    private readonly bool _isArray;
    private ValuePlan? _element;

    private CollectionPlan(JsonTypeInfo typeInfo, MessagePackValueSerializer owner, Func<int, IList> create, bool isArray)
        : base(typeInfo)
    {
        _owner = owner;
        _elementType = typeInfo.ElementType!;
        _create = create;
        _isArray = isArray;
    }

    /// <summary>Resolved on first use, as a list may hold itself (see <see cref="PropertyPlan.Plan"/>).</summary>
    private ValuePlan Element => _element ??= _owner.PlanFor(_elementType);

    /// <summary>The plan, or <c>null</c> when the collection cannot be built as an array or a list.</summary>
    public static CollectionPlan? TryCreate(JsonTypeInfo typeInfo, MessagePackValueSerializer owner)
    {
        var type = typeInfo.Type;
        if (type.IsSZArray)
        {
            return new CollectionPlan(typeInfo, owner, count => Array.CreateInstanceFromArrayType(type, count), isArray: true);
        }

        if (typeInfo.CreateObject is { } create && create() is IList)
        {
            return new CollectionPlan(typeInfo, owner, _ => (IList)create(), isArray: false);
        }

        // IEnumerable<T>, IList<T>, IReadOnlyList<T>...: System.Text.Json reads them as a List<T>.
        var list = MessagePackValueSerializer.ConstructedType(typeof(List<>), typeInfo.ElementType!);
        return type.IsInterface && list is not null && type.IsAssignableFrom(list)
            ? new CollectionPlan(typeInfo, owner, _ => (IList)Activator.CreateInstance(list)!, isArray: false)
            : null;
    }

    public override void Write(ref MessagePackWriter writer, object value, int depth)
    {
        _owner.CheckDepth(depth);
        if (value is not ICollection collection)
        {
            // A lazy sequence: its length is known once it has run, and it must run only once.
            collection = ((IEnumerable)value).Cast<object?>().ToList();
        }

        writer.WriteArrayHeader(collection.Count);
        var element = Element;
        foreach (var item in collection)
        {
            element.WriteNullable(ref writer, item, depth + 1);
        }
    }

    public override object? Read(ref MessagePackReader reader, int depth)
    {
        if (reader.NextMessagePackType == MessagePackType.Nil && !TypeInfo.Type.IsValueType)
        {
            reader.ReadNil();
            return null;
        }

        if (reader.NextMessagePackType != MessagePackType.Array)
        {
            return ReadAsJson(ref reader, depth);
        }

        var count = reader.ReadArrayHeader();
        _owner.CheckDepth(depth);
        var list = _create(count);
        var element = Element;
        for (var i = 0; i < count; i++)
        {
            var item = element.Read(ref reader, depth + 1);
            if (_isArray)
            {
                list[i] = item;
            }
            else
            {
                list.Add(item);
            }
        }

        return list;
    }
}
