using System.Diagnostics;
using System.Text;
using Bro.Actors.Tests.Vectors;
using Bro.Codecs;
using Bro.Protocol;
using MessagePack;
using Xunit;

namespace Bro.Actors.Tests.Codecs;

/// <summary>Malformed and invalid payloads become a <see cref="BroException"/> with the right code, and nothing else.</summary>
public sealed class BadInputSpec
{
    public static TheoryData<string> MalformedJson =>
    [
        "",
        "   ",
        "{",
        "[1]",
        "\"text\"",
        "42",
        "{\"type\":\"CALL\"",
        "{\"type\":\"HEARTBEAT\",\"from\":\"a\",\"timestamp\":1} trailing",
        "{\"type\":'CALL'}",
        "{\"params\":{\"a\":}}",
    ];

    [Theory]
    [MemberData(nameof(MalformedJson))]
    public void Malformed_JSON_is_DESERIALIZATION_FAILED(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);

        AssertCode(ErrorCodes.DeserializationFailed, () => MessageCodecs.Json.Decode(payload));
        AssertCode(ErrorCodes.DeserializationFailed, () => MessageCodecs.Json.ReadHeader(payload));
    }

    public static TheoryData<string> MalformedMessagePack =>
    [
        "",
        "C0",
        "9101",
        "A474797065",
        "DE0001A474797065",
        "DE0002A474797065A9484541525442454154",
        "81A474797065A9484541525442454154C0",
        "C1",
    ];

    [Theory]
    [MemberData(nameof(MalformedMessagePack))]
    public void Malformed_MessagePack_is_DESERIALIZATION_FAILED(string hex)
    {
        var payload = Convert.FromHexString(hex);

        AssertCode(ErrorCodes.DeserializationFailed, () => MessageCodecs.MessagePack.Decode(payload));
        AssertCode(ErrorCodes.DeserializationFailed, () => MessageCodecs.MessagePack.ReadHeader(payload));
    }

    [Fact]
    public void A_truncated_recorded_MessagePack_frame_is_DESERIALIZATION_FAILED_at_every_length()
    {
        foreach (var frame in RecordedSession.MessagePack)
        {
            for (var length = 0; length < frame.Payload.Length; length++)
            {
                var payload = frame.Payload[..length];
                AssertCode(ErrorCodes.DeserializationFailed, () => MessageCodecs.MessagePack.Decode(payload));
            }
        }
    }

    [Fact]
    public void An_unrecognised_encoding_is_DESERIALIZATION_FAILED()
    {
        var error = AssertCode(ErrorCodes.DeserializationFailed, () => Frames.Deserialize(new byte[] { 0x01, 0x02 }));

        Assert.Contains("0x01", error.Message);
    }

    public static TheoryData<string, string> InvalidMessages => new()
    {
        { """{"id":"x"}""", "'type'" },
        { """{"type":"NOPE"}""", "Unknown message type 'NOPE'" },
        { """{"type":"REGISTER","methods":[]}""", "'serviceName'" },
        { """{"type":"CALL","from":"a","to":"b","method":"m","context":{"root":"r","chain":["a"],"depth":1,"deadline":1}}""", "'id'" },
        { """{"type":"CALL","id":"1","to":"b","method":"m","context":{"root":"r","chain":["a"],"depth":1,"deadline":1}}""", "'from'" },
        { """{"type":"CALL","id":"1","from":"a","method":"m","context":{"root":"r","chain":["a"],"depth":1,"deadline":1}}""", "'to'" },
        { """{"type":"CALL","id":"1","from":"a","to":"b","context":{"root":"r","chain":["a"],"depth":1,"deadline":1}}""", "'method'" },
        { """{"type":"CALL","id":"1","from":"a","to":"b","method":"m","context":{"chain":["a"],"depth":1,"deadline":1}}""", "'context.root'" },
        { """{"type":"CALL","id":"1","from":"a","to":"b","method":"m","context":{"root":"r","depth":1,"deadline":1}}""", "'context.chain'" },
        { """{"type":"CALL","id":"1","from":"a","to":"b","method":"m","context":{"root":"r","chain":["a"],"deadline":1}}""", "'context.depth'" },
        { """{"type":"CALL","id":"1","from":"a","to":"b","method":"m","context":"no"}""", "'context'" },
        { """{"type":"RESPONSE","id":"1","from":"a","to":"b"}""", "'status'" },
        { """{"type":"RESPONSE","id":"1","from":"a","to":"b","status":"maybe"}""", "'status'" },
        { """{"type":"HEARTBEAT","timestamp":1}""", "'from'" },
        { """{"type":"HEARTBEAT","from":"a"}""", "'timestamp'" },
        { """{"type":"HEARTBEAT","from":"a","timestamp":"now"}""", "'timestamp'" },
        { """{"type":"ERROR","id":"1"}""", "'error'" },
        { """{"type":"ERROR","error":{"code":"X"}}""", "'error.message'" },
        { """{"type":5}""", "'type'" },
        { """{"type":"REGISTER","serviceName":"a","methods":[1]}""", "'methods'" },
    };

    [Theory]
    [MemberData(nameof(InvalidMessages))]
    public void An_invalid_message_is_INVALID_MESSAGE_naming_the_field_in_both_encodings(string json, string mention)
    {
        var jsonPayload = Encoding.UTF8.GetBytes(json);
        var msgpackPayload = MessagePackSerializer.ConvertFromJson(json);

        foreach (var (codec, payload) in new[] { ((IMessageCodec)MessageCodecs.Json, jsonPayload), (MessageCodecs.MessagePack, msgpackPayload) })
        {
            Assert.Contains(mention, AssertCode(ErrorCodes.InvalidMessage, () => codec.Decode(payload)).Message);
            Assert.Contains(mention, AssertCode(ErrorCodes.InvalidMessage, () => codec.ReadHeader(payload)).Message);
        }
    }

    // A CALL without a deadline (or without any context) is routable, so the gateway can give it
    // one; a peer decoding it as a message still insists on one, unless it is given the default.
    [Theory]
    [InlineData("""{"type":"CALL","id":"1","from":"a","to":"b","method":"m"}""", "'context'")]
    [InlineData("""{"type":"CALL","id":"1","from":"a","to":"b","method":"m","context":{"root":"r","chain":["a"],"depth":1}}""", "'context.deadline'")]
    public void A_CALL_without_a_deadline_has_a_header_but_decodes_only_with_a_default_deadline(string json, string mention)
    {
        var jsonPayload = Encoding.UTF8.GetBytes(json);
        var msgpackPayload = MessagePackSerializer.ConvertFromJson(json);

        foreach (var (codec, payload) in new[] { ((IMessageCodec)MessageCodecs.Json, jsonPayload), (MessageCodecs.MessagePack, msgpackPayload) })
        {
            var header = codec.ReadHeader(payload);
            Assert.Equal((MessageType.Call, "1", null), (header.Type, header.Id, header.Deadline));
            Assert.Contains(mention, AssertCode(ErrorCodes.InvalidMessage, () => codec.Decode(payload)).Message);
            var call = (CallMessage)MessageCodecs.Decode(codec, payload, defaultDeadline: 12_345);
            Assert.Equal((12_345L, 1), (call.Context.Deadline, call.Context.Depth));
        }
    }

    public static TheoryData<string> LenientMessages =>
    [
        """{"type":"RESPONSE","id":"1","from":"a","to":"b","status":"success"}""",
        """{"type":"REGISTER","serviceName":"a"}""",
        """{"type":"ERROR","error":{"message":"m"}}""",
        """{"type":"REGISTER_ACK","extra":{"nested":[1,2,{}]}}""",
        """{"type":"HEARTBEAT","from":"a","timestamp":1.5,"unknown":null}""",
        """{"type":"CALL","id":"1","from":"a","to":"b","method":"m","context":{"root":"r","chain":["a"],"depth":1,"deadline":1,"extra":true}}""",
    ];

    [Theory]
    [MemberData(nameof(LenientMessages))]
    public void Optional_and_unknown_fields_are_accepted_in_both_encodings(string json)
    {
        var jsonMessage = MessageCodecs.Json.Decode(Encoding.UTF8.GetBytes(json));
        var msgpackMessage = MessageCodecs.MessagePack.Decode(MessagePackSerializer.ConvertFromJson(json));

        JsonTrees.AssertSame(JsonTrees.Of(jsonMessage), JsonTrees.Of(msgpackMessage), json);
    }

    [Fact]
    public void Random_mutations_of_every_recorded_frame_throw_nothing_but_BroException()
    {
        var random = new Random(20261125);
        var stopwatch = Stopwatch.StartNew();
        var cases = 0;
        foreach (var frame in RecordedSession.All)
        {
            for (var i = 0; i < 60; i++)
            {
                var payload = Mutate(frame.Payload.ToArray(), random);
                cases++;
                foreach (var codec in new IMessageCodec[] { MessageCodecs.Json, MessageCodecs.MessagePack })
                {
                    TryAll(codec, payload);
                }
            }
        }

        Assert.True(cases >= 4000, $"{cases} cases");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"{cases} cases took {stopwatch.Elapsed}");
    }

    private static void TryAll(IMessageCodec codec, byte[] payload)
    {
        try
        {
            codec.ReadHeader(payload);
        }
        catch (BroException)
        {
        }

        try
        {
            var message = codec.Decode(payload);

            // Whatever decodes must also encode in both encodings, or fail as a BroException.
            MessageCodecs.Json.Encode(message);
            MessageCodecs.MessagePack.Encode(message);
        }
        catch (BroException)
        {
        }
    }

    private static byte[] Mutate(byte[] payload, Random random)
    {
        switch (random.Next(4))
        {
            case 0:
                payload[random.Next(payload.Length)] = (byte)random.Next(256);
                return payload;
            case 1:
                return payload[..random.Next(payload.Length)];
            case 2:
                for (var i = random.Next(1, 4); i > 0; i--)
                {
                    payload[random.Next(payload.Length)] ^= (byte)(1 << random.Next(8));
                }

                return payload;
            default:
                var bytes = new byte[random.Next(1, 32)];
                random.NextBytes(bytes);
                var at = random.Next(payload.Length);
                return [.. payload[..at], .. bytes, .. payload[at..]];
        }
    }

    private static BroException AssertCode(string code, Func<object> action)
    {
        var error = Assert.Throws<BroException>(action);
        Assert.Equal(code, error.Code);
        return error;
    }

    private static BroException AssertCode(string code, Func<FrameHeader> action) =>
        AssertCode(code, () => (object)action());
}
