using System.Text;
using System.Text.Json.Nodes;
using Bro.Codecs.Internal;
using Bro.Protocol;
using MessagePack;
using Xunit;

namespace Bro.Actors.Tests.Codecs;

/// <summary>Values between JSON and MessagePack, through <see cref="RawValue.To"/>.</summary>
public sealed class ValueTranscoderSpec
{
    public static TheoryData<string> JsonValues =>
    [
        "0",
        "1",
        "-1",
        "-33",
        "127",
        "4294967295",
        "-2147483648",
        "4294967296",
        "-2147483649",
        "1795618670882",
        "9007199254740993",
        "-9007199254740993",
        "9223372036854775807",
        "-9223372036854775808",
        "18446744073709551615",
        "1.5",
        "-0.25",
        "99.99",
        "3.141592653589793",
        "1e-7",
        "\"\"",
        "\"héllo wörld ✓ 日本 🎉\"",
        "\"quote \\\" backslash \\\\ newline \\n tab \\t\"",
        "null",
        "true",
        "false",
        "[]",
        "{}",
        "[1,\"a\",null,true,[[]],{}]",
        "{\"a\":{\"b\":{\"c\":[1,2,{\"d\":null}]}},\"e\":[],\"f\":{}}",
    ];

    [Theory]
    [MemberData(nameof(JsonValues))]
    public void A_JSON_value_round_trips_through_MessagePack(string json)
    {
        var value = new RawValue(BroEncoding.Json, Encoding.UTF8.GetBytes(json));

        var msgpack = value.To(BroEncoding.MessagePack);
        var back = msgpack.To(BroEncoding.Json);

        Assert.Equal(BroEncoding.MessagePack, msgpack.Encoding);
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(back.ToJsonString())),
            $"{json} came back as {back.ToJsonString()}");
    }

    [Fact]
    public void A_large_object_round_trips_through_MessagePack()
    {
        var obj = new JsonObject();
        for (var i = 0; i < 70000; i++)
        {
            obj[$"k{i}"] = i;
        }

        var value = new RawValue(BroEncoding.Json, Encoding.UTF8.GetBytes(obj.ToJsonString()));

        var msgpack = value.To(BroEncoding.MessagePack);

        Assert.Equal(MessagePackCode.Map32, msgpack.Bytes.Span[0]);
        Assert.True(JsonNode.DeepEquals(obj, JsonNode.Parse(msgpack.ToJsonString())));
    }

    [Theory]
    [InlineData("1", "01")]
    [InlineData("-1", "FF")]
    [InlineData("200", "CCC8")]
    [InlineData("4294967295", "CEFFFFFFFF")]
    [InlineData("-2147483648", "D280000000")]
    [InlineData("1.0", "01")]
    [InlineData("1795618670882", "CB427A213368922000")]
    [InlineData("-4294967296", "CBC1F0000000000000")]
    [InlineData("9007199254740993", "CF0020000000000001")]
    [InlineData("1.5", "CB3FF8000000000000")]
    [InlineData("{}", "DE0000")]
    [InlineData("{\"a\":1}", "DE0001A16101")]
    [InlineData("[1,2]", "920102")]
    [InlineData("{\"a\":[1,{\"b\":[]}],\"c\":{}}", "DE0002A1619201DE0001A16290A163DE0000")]
    [InlineData("[[],[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],{}]", "9390DC001000000000000000000000000000000000DE0000")]
    public void JSON_numbers_and_maps_are_written_as_msgpackr_writes_them(string json, string hex)
    {
        var value = new RawValue(BroEncoding.Json, Encoding.UTF8.GetBytes(json)).To(BroEncoding.MessagePack);

        Assert.Equal(hex, Convert.ToHexString(value.Bytes.Span));
    }

    public static TheoryData<string, string> MessagePackSerializerValues => new()
    {
        { Hex((sbyte)-100), "-100" },
        { Hex((short)-30000), "-30000" },
        { Hex((ushort)60000), "60000" },
        { Hex(ulong.MaxValue), "18446744073709551615" },
        { Hex(long.MinValue), "-9223372036854775808" },
        { Hex(1.5f), "1.5" },
        { Hex(0.1f), "0.1" },
        { Hex(2f), "2" },
        { Hex(1795618670882d), "1795618670882" },
        { Hex(-0.5d), "-0.5" },
        { Hex(double.NaN), "null" },
        { Hex(new byte[] { 1, 2, 3 }), "\"AQID\"" },
        { Hex(new Dictionary<int, string> { [1] = "one" }), "{\"1\":\"one\"}" },
        { Hex(new Dictionary<bool, int> { [true] = 1 }), "{\"true\":1}" },
        { Hex(new object?[] { "a", null, true, 7 }), "[\"a\",null,true,7]" },
    };

    [Theory]
    [MemberData(nameof(MessagePackSerializerValues))]
    public void Any_MessagePack_number_width_and_type_is_read_as_JSON(string hex, string json)
    {
        var value = new RawValue(BroEncoding.MessagePack, Convert.FromHexString(hex));

        Assert.Equal(json, value.ToJsonString());
    }

    [Fact]
    public void A_MessagePack_extension_has_no_JSON_form()
    {
        var value = new RawValue(BroEncoding.MessagePack, MessagePackSerializer.Serialize(DateTime.UnixEpoch));

        var error = Assert.Throws<BroException>(() => value.ToJsonString());

        Assert.Equal(ErrorCodes.DeserializationFailed, error.Code);
        Assert.Contains("extension", error.Message);
    }

    [Fact]
    public void A_MessagePack_map_key_that_is_a_map_has_no_JSON_form()
    {
        // {{}: 1}
        var value = new RawValue(BroEncoding.MessagePack, new byte[] { 0x81, 0x80, 0x01 });

        Assert.Equal(ErrorCodes.DeserializationFailed, Assert.Throws<BroException>(() => value.ToJsonString()).Code);
    }

    [Fact]
    public void MessagePack_nested_beyond_the_depth_limit_fails_instead_of_overflowing_the_stack()
    {
        var bytes = Enumerable.Repeat((byte)0x91, 100_000).Append((byte)0x01).ToArray();
        var value = new RawValue(BroEncoding.MessagePack, bytes);

        Assert.Equal(ErrorCodes.DeserializationFailed, Assert.Throws<BroException>(() => value.ToJsonString()).Code);
    }

    [Theory]
    [InlineData(250)]
    [InlineData(ValueTranscoder.MaxDepth)]
    public void A_deeply_nested_JSON_value_round_trips_through_MessagePack_byte_for_byte(int depth)
    {
        var json = Nested(depth, "héllo ✓ " + new string('x', 1 << 20));

        var msgpack = new RawValue(BroEncoding.Json, json).To(BroEncoding.MessagePack);
        var back = msgpack.To(BroEncoding.Json);

        Assert.Equal(Encoding.UTF8.GetString(json), Encoding.UTF8.GetString(back.Bytes.Span));
    }

    [Theory]
    [InlineData(ValueTranscoder.MaxDepth + 1)]
    [InlineData(1_000)]
    [InlineData(100_000)]
    public void JSON_nested_beyond_the_depth_limit_fails_instead_of_overflowing_the_stack(int depth)
    {
        var value = new RawValue(BroEncoding.Json, Nested(depth, "bottom"));

        Assert.Equal(ErrorCodes.DeserializationFailed, Assert.Throws<BroException>(() => value.To(BroEncoding.MessagePack)).Code);
    }

    [Fact]
    public void Transcoding_JSON_reads_each_byte_twice_whatever_the_nesting()
    {
        // Counting each container's elements ahead of its header re-read its contents once per
        // enclosing level: 250 levels over 1 MiB read 250 MiB.
        var json = Nested(250, new string('x', 1 << 20));
        ValueTranscoder.JsonBytesRead = 0;

        new RawValue(BroEncoding.Json, json).To(BroEncoding.MessagePack);

        Assert.InRange(ValueTranscoder.JsonBytesRead, json.Length, 2L * json.Length);
    }

    [Fact]
    public void Invalid_JSON_cannot_be_transcoded()
    {
        var value = new RawValue(BroEncoding.Json, "{\"a\":"u8.ToArray());

        Assert.Equal(ErrorCodes.DeserializationFailed, Assert.Throws<BroException>(() => value.To(BroEncoding.MessagePack)).Code);
    }

    /// <summary>
    /// Compact JSON <paramref name="depth"/> containers deep, objects and arrays in turn, each with
    /// siblings around the next so every header counts more than one element.
    /// </summary>
    internal static byte[] Nested(int depth, string bottom)
    {
        var json = new StringBuilder();
        for (var level = 0; level < depth; level++)
        {
            json.Append(level % 2 == 0 ? $"{{\"n\":{level},\"next\":" : $"[{level},");
        }

        json.Append('"').Append(bottom).Append('"');
        for (var level = depth - 1; level >= 0; level--)
        {
            json.Append(level % 2 == 0 ? ",\"end\":true}" : ",null]");
        }

        return Encoding.UTF8.GetBytes(json.ToString());
    }

    private static string Hex<T>(T value) => Convert.ToHexString(MessagePackSerializer.Serialize(value));
}
