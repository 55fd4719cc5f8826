using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bro.Actors.Tests.Vectors;
using Bro.Codecs.Internal.Values;
using Bro.Protocol;
using MessagePack;
using Xunit;
using static Bro.Actors.Tests.Codecs.SampleValues;

namespace Bro.Actors.Tests.Codecs;

/// <summary>
/// User values written straight to MessagePack and read straight back: the same maps the JSON
/// path gives (same keys, order, nulls), under whichever options the JSON path is given.
/// </summary>
public sealed class MessagePackValueSerializerSpec
{
    private static readonly Dictionary<string, JsonSerializerOptions> OptionSets = new()
    {
        ["web"] = RawValue.DefaultJsonOptions,
        ["web, nulls ignored"] = new(RawValue.DefaultJsonOptions) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull },
        ["default (PascalCase, case-sensitive)"] = new(),
        ["string enums, camelCase keys, defaults ignored"] = new(JsonSerializerOptions.Web)
        {
            Converters = { new JsonStringEnumConverter() },
            DictionaryKeyPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
        },
    };

    private static readonly byte[] Avatar = [.. Enumerable.Range(0, 300).Select(i => (byte)i)];

    public static TheoryData<string> Options => [.. OptionSets.Keys];

    [Theory]
    [MemberData(nameof(Options))]
    public void A_value_in_MessagePack_is_its_JSON_transcoded_byte_for_byte(string options)
    {
        AssertSameAsTranscodedJson(Rich(avatar: null), OptionSets[options]);
        AssertSameAsTranscodedJson(Tree(), OptionSets[options]);
        AssertSameAsTranscodedJson(new Dictionary<string, object?> { ["n"] = 1, ["list"] = new[] { Tree() }, ["none"] = null }, OptionSets[options]);
        AssertSameAsTranscodedJson(
            new object[]
            {
                new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Unspecified), DateTime.MinValue, DateTime.MaxValue,
                new DateTime(2026, 1, 2, 3, 4, 5, 120, DateTimeKind.Utc).AddTicks(3), DateTimeOffset.MaxValue,
                new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromMinutes(-330)), Guid.Empty, TimeSpan.MinValue,
                1.0f / 3, float.MaxValue, 79228162514264337593543950335m, -0.0, 1e15, 1e16, 4294967296L, long.MinValue,
            },
            OptionSets[options]);
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void A_byte_array_is_bin_in_MessagePack_and_the_same_base64_in_JSON(string options)
    {
        var profile = Rich(Avatar);

        var native = RawValue.FromObject(profile, BroEncoding.MessagePack, OptionSets[options]);
        var transcoded = RawValue.FromObject(profile, BroEncoding.Json, OptionSets[options]).To(BroEncoding.MessagePack);

        Assert.Equal(MessagePackCode.Bin16, RawValue.FromObject(Avatar, BroEncoding.MessagePack).Bytes.Span[0]);
        Assert.True(native.Bytes.Length < transcoded.Bytes.Length, "bin is shorter than base64");
        Assert.Equal(transcoded.ToJsonString(), native.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void A_rich_value_round_trips_through_MessagePack_as_through_JSON(string name)
    {
        var options = OptionSets[name];
        var original = Rich(Avatar);
        var expected = JsonSerializer.Serialize(original, options);
        var native = RawValue.FromObject(original, BroEncoding.MessagePack, options);
        var json = RawValue.FromObject(original, BroEncoding.Json, options);

        // Written natively, read natively; written natively, read by a JSON peer; written by a
        // JSON peer (byte[] as a base64 string), read natively.
        Assert.Equal(expected, JsonSerializer.Serialize(native.Deserialize<Profile>(options), options));
        Assert.Equal(expected, JsonSerializer.Serialize(native.To(BroEncoding.Json).Deserialize<Profile>(options), options));
        Assert.Equal(expected, JsonSerializer.Serialize(json.To(BroEncoding.MessagePack).Deserialize<Profile>(options), options));
        Assert.Equal(Avatar, native.Deserialize<Profile>(options)!.Avatar);
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void A_class_tree_with_a_custom_converter_inside_reads_back_as_the_JSON_path_reads_it(string name)
    {
        var options = OptionSets[name];
        var expected = RawValue.FromObject(Tree(), BroEncoding.Json, options).Deserialize<Settings>(options);

        var back = RawValue.FromObject(Tree(), BroEncoding.MessagePack, options).Deserialize<Settings>(options);

        Assert.Equal(JsonSerializer.Serialize(expected, options), JsonSerializer.Serialize(back, options));
        Assert.Equal("quiet", back!.Shout.Text);
    }

    [Fact]
    public void A_source_generated_context_gives_the_same_maps_and_values()
    {
        var options = SampleContext.Default.Options;
        var original = Rich(Avatar);

        var native = RawValue.FromObject(original, BroEncoding.MessagePack, options);

        AssertSameAsTranscodedJson(Rich(avatar: null), options);
        AssertSameAsTranscodedJson(Tree(), options);
        Assert.Equal(JsonSerializer.Serialize(original, options), JsonSerializer.Serialize(native.Deserialize<Profile>(options), options));
        Assert.IsType<ObjectPlan>(MessagePackValueSerializer.For(options).PlanFor(typeof(Profile)));
    }

    [Fact]
    public void Nulls_are_written_as_nil_or_left_out_as_the_options_say()
    {
        var address = new Address("1 Analytical Way", null, 0);

        var written = RawValue.FromObject(address, BroEncoding.MessagePack).ToJsonString();
        var ignored = RawValue.FromObject(address, BroEncoding.MessagePack, OptionSets["web, nulls ignored"]).ToJsonString();

        Assert.Equal("""{"street":"1 Analytical Way","city":null,"zip":0}""", written);
        Assert.Equal("""{"street":"1 Analytical Way","zip":0}""", ignored);
    }

    [Fact]
    public void A_recorded_ipc_bro_MessagePack_response_reads_into_the_type_its_JSON_twin_reads_into()
    {
        var fromMessagePack = ResponseData(RecordedSession.MessagePack).Deserialize<OrderDetails>();
        var fromJson = ResponseData(RecordedSession.Json).Deserialize<OrderDetails>();

        Assert.Equal(fromJson! with { User = fromJson.User with { Tags = [] } }, fromMessagePack! with { User = fromMessagePack.User with { Tags = [] } });
        Assert.Equal(["a", "b"], fromMessagePack.User.Tags);
        Assert.Equal(99.99, fromMessagePack.Order.Total);
    }

    [Fact]
    public void A_map_shaped_as_msgpackr_writes_it_reads_into_the_record()
    {
        // map16 whatever the size, keys in another order, an unknown nested key, epoch
        // milliseconds as float64, whole numbers as fixints, a Buffer as bin.
        var bytes = Write((ref MessagePackWriter writer) =>
        {
            Map16(ref writer, 6);
            writer.Write("visits");
            writer.Write(1795618670882d);
            writer.Write("unknown");
            Map16(ref writer, 1);
            writer.Write("deep");
            writer.WriteArrayHeader(1);
            writer.WriteNil();
            writer.Write("avatar");
            writer.Write(new byte[] { 1, 2, 3 });
            writer.Write("home");
            Map16(ref writer, 3);
            writer.Write("zip");
            writer.Write(7d);
            writer.Write("street");
            writer.Write("Main");
            writer.Write("city");
            writer.WriteNil();
            writer.Write("tier");
            writer.Write(1);
            writer.Write("id");
            writer.Write("u-1");
        });

        var user = new RawValue(BroEncoding.MessagePack, bytes).Deserialize<NodeUser>();

        Assert.Equal(new NodeUser("u-1", 1795618670882, Tier.Pro, new Address("Main", null, 7), null), user! with { Avatar = null });
        Assert.Equal([1, 2, 3], user.Avatar);
    }

    [Fact]
    public void Keys_match_case_insensitively_under_web_defaults_and_exactly_otherwise()
    {
        var bytes = Write((ref MessagePackWriter writer) =>
        {
            Map16(ref writer, 3);
            writer.Write("STREET");
            writer.Write("Main");
            writer.Write("city");
            writer.Write("Leeds");
            writer.Write("Zip");
            writer.Write(7);
        });
        var value = new RawValue(BroEncoding.MessagePack, bytes);

        Assert.Equal(new Address("Main", "Leeds", 7), value.Deserialize<Address>());
        Assert.Equal(new Address(null!, null, 7), value.Deserialize<Address>(OptionSets["default (PascalCase, case-sensitive)"]));
    }

    [Fact]
    public void A_base64_string_from_a_JSON_peer_reads_into_a_byte_array()
    {
        var value = RawValue.FromObject(Convert.ToBase64String(Avatar), BroEncoding.MessagePack);

        Assert.Equal(Avatar, value.Deserialize<byte[]>());
        Assert.Equal(Avatar, value.Deserialize<ReadOnlyMemory<byte>>().ToArray());
        Assert.Equal(Avatar, value.Deserialize<Memory<byte>>().ToArray());
    }

    [Fact]
    public void A_number_sent_as_a_string_reads_as_the_web_defaults_allow()
    {
        var value = RawValue.FromObject(new { street = "Main", zip = "42" }, BroEncoding.MessagePack);

        Assert.Equal(42, value.Deserialize<Address>()!.Zip);
        var strict = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        Assert.Equal(ErrorCodes.DeserializationFailed, Assert.Throws<BroException>(() => value.Deserialize<Address>(strict)).Code);
    }

    [Fact]
    public void A_RawValue_is_passed_on_undecoded()
    {
        var raw = RawValue.FromObject(Tree(), BroEncoding.MessagePack);

        Assert.Same(raw, RawValue.FromObject(raw, BroEncoding.MessagePack));
        Assert.Same(raw, raw.Deserialize<RawValue>());
        Assert.Equal(raw.ToJsonString(), RawValue.FromObject(raw, BroEncoding.Json).ToJsonString());
    }

    [Fact]
    public void A_cycle_is_SERIALIZATION_FAILED()
    {
        var cycle = new Dictionary<string, object>();
        cycle["self"] = cycle;

        Assert.Equal(ErrorCodes.SerializationFailed,
            Assert.Throws<BroException>(() => RawValue.FromObject(cycle, BroEncoding.MessagePack)).Code);
    }

    [Fact]
    public void A_value_that_does_not_fit_or_misses_a_required_property_is_DESERIALIZATION_FAILED()
    {
        var list = RawValue.FromObject(new[] { 1, 2 }, BroEncoding.MessagePack);
        var empty = RawValue.FromObject(new { }, BroEncoding.MessagePack);

        Assert.Equal(ErrorCodes.DeserializationFailed, Assert.Throws<BroException>(() => list.Deserialize<Address>()).Code);
        Assert.Equal(ErrorCodes.DeserializationFailed, Assert.Throws<BroException>(() => empty.Deserialize<Ticket>()).Code);
        Assert.Equal(ErrorCodes.DeserializationFailed, Assert.Throws<BroException>(
            () => RawValue.FromObject(300, BroEncoding.MessagePack).Deserialize<byte>()).Code);
        Assert.Equal(ErrorCodes.DeserializationFailed, Assert.Throws<BroException>(
            () => RawValue.FromObject("26/11/2026", BroEncoding.MessagePack).Deserialize<DateTime>()).Code);
    }

    [Fact]
    public void Plans_are_built_once_per_options_and_type()
    {
        var serializer = MessagePackValueSerializer.For(RawValue.DefaultJsonOptions);

        Assert.Same(serializer, MessagePackValueSerializer.For(RawValue.DefaultJsonOptions));
        Assert.Same(serializer.PlanFor(typeof(Profile)), serializer.PlanFor(typeof(Profile)));
        Assert.IsType<ObjectPlan>(serializer.PlanFor(typeof(Profile)));
        Assert.IsType<FallbackPlan>(serializer.PlanFor(typeof(Shouted)));
    }

    [Fact]
    public void Threads_racing_to_build_the_plans_of_fresh_options_all_get_the_same_bytes()
    {
        var options = new JsonSerializerOptions(RawValue.DefaultJsonOptions);
        var expected = RawValue.FromObject(Rich(Avatar), BroEncoding.MessagePack).Bytes.ToArray();

        var results = new byte[16][];
        Parallel.For(0, results.Length, i => results[i] = RawValue.FromObject(Rich(Avatar), BroEncoding.MessagePack, options).Bytes.ToArray());

        Assert.All(results, bytes => Assert.Equal(expected, bytes));
    }

    /// <summary>The <c>data</c> of the recorded response that nests an order and a user.</summary>
    private static RawValue ResponseData(IReadOnlyList<RecordedSession.Frame> session) =>
        ((ResponseMessage)Frames.Deserialize(session.First(f =>
            f.Decoded["type"]!.GetValue<string>() == "RESPONSE" && f.Decoded["data"]?["order"] is not null).Payload)).Data!;

    private static void AssertSameAsTranscodedJson<T>(T value, JsonSerializerOptions options)
    {
        var transcoded = RawValue.FromObject(value, BroEncoding.Json, options).To(BroEncoding.MessagePack);

        var native = RawValue.FromObject(value, BroEncoding.MessagePack, options);

        Assert.Equal(Convert.ToHexString(transcoded.Bytes.Span), Convert.ToHexString(native.Bytes.Span));
    }

    private delegate void WriteAction(ref MessagePackWriter writer);

    private static byte[] Write(WriteAction write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void Map16(ref MessagePackWriter writer, ushort count)
    {
        var span = writer.GetSpan(3);
        span[0] = MessagePackCode.Map16;
        span[1] = (byte)(count >> 8);
        span[2] = (byte)count;
        writer.Advance(3);
    }

    public sealed record Order(string Id, double Total);

    public sealed record User(string Id, string Name, string Email, string[] Tags, double Score, bool Active, string? Nothing);

    public sealed record OrderDetails(Order Order, User User);

    public sealed record NodeUser(string Id, long Visits, Tier Tier, Address Home, byte[]? Avatar);

    public sealed class Ticket
    {
        public required string Code { get; init; }
    }
}
