using System.Buffers;
using System.Text;
using Bro.Codecs;
using Bro.Protocol;
using MessagePack;
using Xunit;

namespace Bro.Actors.Tests.Codecs;

/// <summary>Envelope details the recorded session does not exercise.</summary>
public sealed class EnvelopeSpec
{
    private const string ContextJson = """{"root":"r","chain":["a"],"depth":1,"deadline":1795618670882}""";

    [Theory]
    [InlineData("\"text\"")]
    [InlineData("42")]
    [InlineData("-1.5")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("[1,[2],{}]")]
    [InlineData("\"é \\\" ✓\"")]
    public void Params_of_any_JSON_kind_are_kept_as_their_exact_bytes(string value)
    {
        var json = $$"""{"type":"CALL","id":"1","from":"a","to":"b","method":"m","params":{{value}},"context":{{ContextJson}}}""";

        var call = (CallMessage)MessageCodecs.Json.Decode(Encoding.UTF8.GetBytes(json));

        Assert.Equal(value, call.Params!.ToJsonString());
        Assert.Equal(json, Encoding.UTF8.GetString(MessageCodecs.Json.Encode(call)));
    }

    [Theory]
    [InlineData("\"text\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("[1,[2],{}]")]
    public void Params_of_any_MessagePack_kind_are_kept_as_their_exact_bytes(string value)
    {
        var json = $$"""{"type":"CALL","id":"1","from":"a","to":"b","method":"m","params":{{value}},"context":{{ContextJson}}}""";
        var payload = MessageCodecs.MessagePack.Encode(MessageCodecs.Json.Decode(Encoding.UTF8.GetBytes(json)));

        var call = (CallMessage)MessageCodecs.MessagePack.Decode(payload);

        Assert.Equal(value, call.Params!.ToJsonString());
        Assert.Equal(payload, MessageCodecs.MessagePack.Encode(call));
    }

    [Fact]
    public void Deeply_nested_params_cross_from_JSON_to_MessagePack_and_back_byte_for_byte()
    {
        var value = Encoding.UTF8.GetString(ValueTranscoderSpec.Nested(250, new string('x', 1 << 20)));
        var json = $$"""{"type":"CALL","id":"1","from":"a","to":"b","method":"m","params":{{value}},"context":{{ContextJson}}}""";

        var payload = MessageCodecs.MessagePack.Encode(MessageCodecs.Json.Decode(Encoding.UTF8.GetBytes(json)));
        var back = MessageCodecs.Json.Encode(MessageCodecs.MessagePack.Decode(payload));

        Assert.Equal(json, Encoding.UTF8.GetString(back));
    }

    [Theory]
    [InlineData("""{"poolIndex":2}""", 2)]
    [InlineData("""{"other":{"poolIndex":9},"poolIndex":3}""", 3)]
    [InlineData("""{"poolIndex":"2"}""", null)]
    [InlineData("""{}""", null)]
    [InlineData("""[1]""", null)]
    public void The_header_reads_a_numeric_pool_index_from_register_metadata(string metadata, int? expected)
    {
        var json = $$"""{"type":"REGISTER","serviceName":"s","methods":[],"metadata":{{metadata}}}""";

        var fromJson = MessageCodecs.Json.ReadHeader(Encoding.UTF8.GetBytes(json));
        var fromMessagePack = MessageCodecs.MessagePack.ReadHeader(MessagePackSerializer.ConvertFromJson(json));

        Assert.Equal(expected, fromJson.PoolIndex);
        Assert.Equal(expected, fromMessagePack.PoolIndex);
        Assert.Equal("s", fromJson.ServiceName);
    }

    [Fact]
    public void Any_MessagePack_number_width_is_read_where_a_number_is_expected()
    {
        // Each writer forces one MessagePack number format; the narrow ones get a value that fits.
        var writers = new (Action<IBufferWriter<byte>, long> Write, Func<long, long> Fit)[]
        {
            ((b, v) => { var w = new MessagePackWriter(b); w.WriteUInt64((ulong)v); w.Flush(); }, v => v),
            ((b, v) => { var w = new MessagePackWriter(b); w.WriteInt64(v); w.Flush(); }, v => v),
            ((b, v) => { var w = new MessagePackWriter(b); w.Write((double)v); w.Flush(); }, v => v),
            ((b, v) => { var w = new MessagePackWriter(b); w.WriteUInt32((uint)v); w.Flush(); }, v => v % 1_000_000),
            ((b, v) => { var w = new MessagePackWriter(b); w.Write((float)v); w.Flush(); }, v => v % 1000),
            ((b, v) => { var w = new MessagePackWriter(b); w.WriteInt8((sbyte)v); w.Flush(); }, v => v % 100),
        };

        foreach (var (write, fit) in writers)
        {
            var expectedDeadline = fit(1795618670882);
            var expectedDepth = (int)fit(3);
            var deadline = Number(write, expectedDeadline);
            var depth = Number(write, expectedDepth);
            var payload = Map(
                ("type", Str("CALL")), ("id", Str("1")), ("from", Str("a")), ("to", Str("b")), ("method", Str("m")),
                ("context", Map(("root", Str("r")), ("chain", MessagePackSerializer.Serialize(new[] { "a" })), ("depth", depth), ("deadline", deadline))));

            var call = (CallMessage)MessageCodecs.MessagePack.Decode(payload);
            var header = MessageCodecs.MessagePack.ReadHeader(payload);

            Assert.Equal(expectedDeadline, call.Context.Deadline);
            Assert.Equal(expectedDepth, call.Context.Depth);
            Assert.Equal(expectedDeadline, header.Deadline);
            Assert.Equal(expectedDepth, header.Depth);
        }
    }

    [Fact]
    public void A_fractional_deadline_is_truncated_to_whole_milliseconds()
    {
        var json = """{"type":"HEARTBEAT","from":"a","timestamp":1795618670882.75}""";

        Assert.Equal(1795618670882, ((HeartbeatMessage)MessageCodecs.Json.Decode(Encoding.UTF8.GetBytes(json))).Timestamp);
        Assert.Equal(1795618670882, ((HeartbeatMessage)MessageCodecs.MessagePack.Decode(MessagePackSerializer.ConvertFromJson(json))).Timestamp);
    }

    [Fact]
    public void Non_string_keys_in_a_MessagePack_message_are_skipped_as_unknown_fields()
    {
        var payload = Map(("type", Str("REGISTER_ACK")));
        payload[0]++; // fixmap of one more entry, appended below
        byte[] withIntKey = [.. payload, 0x01, 0x91, 0x02];

        Assert.IsType<RegisterAckMessage>(MessageCodecs.MessagePack.Decode(withIntKey));
    }

    [Fact]
    public void JSON_text_is_written_unescaped_as_JSON_stringify_writes_it()
    {
        var error = new ErrorMessage(null, new ErrorInfo("Größe <ü> & ✓ \"q\""), null);

        Assert.Equal("""{"type":"ERROR","error":{"message":"Größe <ü> & ✓ \"q\""}}""",
            Encoding.UTF8.GetString(MessageCodecs.Json.Encode(error)));
    }

    private static byte[] Number(Action<IBufferWriter<byte>, long> write, long value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Str(string value) => MessagePackSerializer.Serialize(value);

    private static byte[] Map(params (string Key, byte[] Value)[] entries)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(entries.Length);
        foreach (var (key, value) in entries)
        {
            writer.Write(key);
            writer.WriteRaw(value);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
