using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using MessagePack;

namespace Bro.Codecs.Internal.Values;

/// <summary>
/// Serializes user values straight to MessagePack and back, driven by System.Text.Json's own
/// contract (<see cref="JsonSerializerOptions.GetTypeInfo"/>): the map a value becomes has the
/// keys, order and omitted nulls of the JSON the same options write, so a Node peer sees the same
/// object in either encoding. What the plans do not handle natively takes the JSON path for that
/// sub-value only (<see cref="JsonFallback"/>).
/// </summary>
/// <remarks>
/// One instance per options instance, kept as long as the options live; plans are built once per
/// type, on first use, and shared by all threads.
/// </remarks>
internal sealed class MessagePackValueSerializer
{
    /// <summary>System.Text.Json's nesting limit when the options leave <c>MaxDepth</c> at 0.</summary>
    private const int DefaultMaxDepth = 64;

    // A thread keeps a buffer this large for its next value; a larger one, rented for one large
    // value, goes back to the shared pool instead of staying with the thread.
    private const int MaxRetainedBytes = 64 * 1024;

    private static readonly ConditionalWeakTable<JsonSerializerOptions, MessagePackValueSerializer> ByOptions = new();

    [ThreadStatic]
    private static PooledBufferWriter? t_output;

    private readonly ConcurrentDictionary<Type, ValuePlan> _plans = new();
    private readonly bool _native;
    private readonly bool _nativeNumbers;

    private MessagePackValueSerializer(JsonSerializerOptions options)
    {
        // As System.Text.Json does on first use: options built by hand get the default resolver
        // (else GetTypeInfo finds none) and are locked, so the plans never go stale.
        if (!options.IsReadOnly)
        {
            options.MakeReadOnly(populateMissingResolver: true);
        }

        Options = options;
        MaxDepth = options.MaxDepth == 0 ? DefaultMaxDepth : options.MaxDepth;
        _native = options.ReferenceHandler is null
            && !options.IgnoreReadOnlyProperties && !options.IgnoreReadOnlyFields
            && !options.RespectNullableAnnotations && !options.RespectRequiredConstructorParameters
            && options.AllowDuplicateProperties
            && options.PreferredObjectCreationHandling == JsonObjectCreationHandling.Replace
            && options.UnmappedMemberHandling == JsonUnmappedMemberHandling.Skip;
        _nativeNumbers = (options.NumberHandling
            & (JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowNamedFloatingPointLiterals)) == 0;
    }

    public JsonSerializerOptions Options { get; }

    /// <summary>The nesting limit, as System.Text.Json applies it (a cycle ends here too).</summary>
    public int MaxDepth { get; }

    /// <summary>The serializer for <paramref name="options"/>.</summary>
    public static MessagePackValueSerializer For(JsonSerializerOptions options) =>
        ByOptions.GetValue(options, static o => new MessagePackValueSerializer(o));

    /// <summary>
    /// <paramref name="open"/> closed over <paramref name="arguments"/>, or <c>null</c> where
    /// generic types cannot be made at run time (native AOT without that instantiation): the
    /// caller then leaves the type to the JSON path.
    /// </summary>
    public static Type? ConstructedType(Type open, params Type[] arguments)
    {
        try
        {
            return open.MakeGenericType(arguments);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Writes <paramref name="value"/> as one MessagePack object.</summary>
    public byte[] Serialize<T>(T value)
    {
        // Taken, not borrowed: a getter that serializes in turn gets a buffer of its own.
        var buffer = t_output ?? new PooledBufferWriter();
        t_output = null;
        try
        {
            Serialize(value, buffer);
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            buffer.Reset(MaxRetainedBytes);
            t_output = buffer;
        }
    }

    /// <summary>Appends <paramref name="value"/> to <paramref name="output"/> as one MessagePack object.</summary>
    public void Serialize<T>(T value, IBufferWriter<byte> output)
    {
        var writer = new MessagePackWriter(output);
        PlanFor(typeof(T)).WriteNullable(ref writer, value, 0);
        writer.Flush();
    }

    /// <summary>Reads the one MessagePack object in <paramref name="bytes"/> into <typeparamref name="T"/>.</summary>
    public T? Deserialize<T>(ReadOnlyMemory<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        var value = PlanFor(typeof(T)).Read(ref reader, 0);
        if (!reader.End)
        {
            throw new JsonException(
                $"{bytes.Length - reader.Consumed} trailing bytes after a MessagePack value of {reader.Consumed} bytes");
        }

        return value is null ? default : (T)value;
    }

    /// <summary>The plan of <paramref name="type"/>, built on first use.</summary>
    public ValuePlan PlanFor(Type type) =>
        _plans.TryGetValue(type, out var plan) ? plan : _plans.GetOrAdd(type, static (t, self) => self.Build(t), this);

    /// <summary>Refuses to open a container past <see cref="MaxDepth"/>, as System.Text.Json does.</summary>
    public void CheckDepth(int depth)
    {
        if (depth >= MaxDepth)
        {
            throw new JsonException(
                $"The value is nested deeper than the maximum depth of {MaxDepth} (a cycle, if it is being written)");
        }
    }

    private ValuePlan Build(Type type)
    {
        var info = Options.GetTypeInfo(type);

        // A converter from outside System.Text.Json is the user's: only it knows the JSON form.
        if (!_native || info.Converter.GetType().Assembly != typeof(JsonSerializer).Assembly)
        {
            return new FallbackPlan(info);
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return PlanFor(underlying) is var plan and not FallbackPlan ? new NullablePlan(info, plan) : new FallbackPlan(info);
        }

        if (type == typeof(object))
        {
            return new RuntimeTypePlan(info, this);
        }

        if (type == typeof(string))
        {
            return new StringPlan(info);
        }

        if (type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>) || type == typeof(Memory<byte>))
        {
            return new BinaryPlan(info);
        }

        if (type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid))
        {
            return new FormattedStringPlan(info);
        }

        if (type.IsEnum)
        {
            return WritesNumbers(info) ? new EnumPlan(info) : new FallbackPlan(info);
        }

        switch (Type.GetTypeCode(type))
        {
            case TypeCode.Boolean:
                return new BooleanPlan(info);
            case TypeCode.SByte or TypeCode.Byte or TypeCode.Int16 or TypeCode.UInt16
                or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64:
                return _nativeNumbers ? new IntegerPlan(info, Type.GetTypeCode(type)) : new FallbackPlan(info);
            case TypeCode.Single or TypeCode.Double or TypeCode.Decimal:
                return _nativeNumbers ? new FloatingPointPlan(info, Type.GetTypeCode(type)) : new FallbackPlan(info);
        }

        ValuePlan? composite = info.Kind switch
        {
            JsonTypeInfoKind.Object => ObjectPlan.TryCreate(info, this),
            JsonTypeInfoKind.Enumerable => CollectionPlan.TryCreate(info, this),
            JsonTypeInfoKind.Dictionary => DictionaryPlan.TryCreate(info, this),
            _ => null,
        };
        return composite ?? new FallbackPlan(info);
    }

    /// <summary>
    /// Whether System.Text.Json writes this enum as its number (the default) rather than a name
    /// (<c>JsonStringEnumConverter</c>): asked once, of a defined value, since string converters
    /// print undefined values as numbers.
    /// </summary>
    private bool WritesNumbers(JsonTypeInfo info)
    {
        var defined = Enum.GetValuesAsUnderlyingType(info.Type);
        var sample = Enum.ToObject(info.Type, defined.Length > 0 ? defined.GetValue(0)! : 0);
        return _nativeNumbers && JsonSerializer.SerializeToUtf8Bytes(sample, info)[0] != (byte)'"';
    }
}
