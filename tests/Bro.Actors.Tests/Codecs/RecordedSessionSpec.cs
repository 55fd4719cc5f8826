using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Bro.Actors.Tests.Vectors;
using Bro.Codecs;
using Bro.Protocol;
using Xunit;

namespace Bro.Actors.Tests.Codecs;

/// <summary>Both codecs against every frame of the recorded ipc-bro session.</summary>
public sealed class RecordedSessionSpec
{
    public static TheoryData<string, int> Lines => RecordedSession.Lines;

    [Fact]
    public void Both_recorded_sessions_are_loaded()
    {
        Assert.Equal(41, RecordedSession.Json.Count);
        Assert.Equal(41, RecordedSession.MessagePack.Count);
    }

    [Theory]
    [MemberData(nameof(Lines))]
    public void Every_recorded_frame_has_a_length_prefix_equal_to_its_payload_length(string serializer, int line)
    {
        var frame = RecordedSession.Get(serializer, line);

        Assert.Equal(frame.Bytes.Length - 4, (int)BinaryPrimitives.ReadUInt32BigEndian(frame.Bytes));
        Assert.Equal(frame.Payload.Length, Bro.Protocol.Frames.ReadMessageLength(frame.Bytes));
    }

    [Theory]
    [MemberData(nameof(Lines))]
    public void Every_recorded_frame_is_detected_in_its_encoding(string serializer, int line)
    {
        var frame = RecordedSession.Get(serializer, line);

        Assert.Equal(frame.Encoding, EncodingDetector.Detect(frame.Payload.Span));
    }

    [Theory]
    [MemberData(nameof(Lines))]
    public void Every_recorded_frame_decodes_to_its_recorded_fields(string serializer, int line)
    {
        var frame = RecordedSession.Get(serializer, line);

        var message = Bro.Protocol.Frames.Deserialize(frame.Payload);

        JsonTrees.AssertSame(frame.Decoded, JsonTrees.Of(message), frame.ToString());
    }

    [Theory]
    [MemberData(nameof(Lines))]
    public void Every_recorded_frame_survives_decode_encode_decode_in_both_encodings(string serializer, int line)
    {
        var frame = RecordedSession.Get(serializer, line);
        var message = MessageCodecs.For(frame.Encoding).Decode(frame.Payload);

        foreach (var codec in new IMessageCodec[] { MessageCodecs.Json, MessageCodecs.MessagePack })
        {
            var again = codec.Decode(codec.Encode(message));

            Assert.Equal(message.GetType(), again.GetType());
            JsonTrees.AssertSame(JsonTrees.Of(message), JsonTrees.Of(again), $"{frame} via {codec.Encoding}");
        }
    }

    [Theory]
    [MemberData(nameof(Lines))]
    public void Every_recorded_frame_reads_the_same_header_as_its_full_decode(string serializer, int line)
    {
        var frame = RecordedSession.Get(serializer, line);
        var codec = MessageCodecs.For(frame.Encoding);

        var header = codec.ReadHeader(frame.Payload.Span);

        var expected = ExpectedHeader(codec.Decode(frame.Payload));
        // The chain is a list: compared by its items, the rest as one record.
        Assert.Equal(expected.Chain, header.Chain);
        Assert.Equal(expected with { Chain = null }, header with { Chain = null });
    }

    [Theory]
    [MemberData(nameof(Lines))]
    public void Every_recorded_frame_re_encodes_to_its_original_bytes(string serializer, int line)
    {
        var frame = RecordedSession.Get(serializer, line);
        var codec = MessageCodecs.For(frame.Encoding);

        var bytes = Bro.Protocol.Frames.Serialize(codec.Decode(frame.Payload), frame.Encoding);

        Assert.Equal(Convert.ToHexString(frame.Bytes), Convert.ToHexString(bytes));
    }

    [Theory]
    [MemberData(nameof(Lines))]
    public void Every_recorded_frame_transcoded_to_the_other_encoding_keeps_its_fields(string serializer, int line)
    {
        var frame = RecordedSession.Get(serializer, line);
        var other = frame.Encoding == BroEncoding.Json ? MessageCodecs.MessagePack : (IMessageCodec)MessageCodecs.Json;

        var transcoded = other.Decode(other.Encode(MessageCodecs.For(frame.Encoding).Decode(frame.Payload)));

        JsonTrees.AssertSame(frame.Decoded, JsonTrees.Of(transcoded), frame.ToString());
    }

    [Fact]
    public void MessagePack_encoding_writes_deadlines_and_timestamps_as_float64_like_msgpackr()
    {
        var call = RecordedSession.Json.Select(f => MessageCodecs.Json.Decode(f.Payload)).OfType<CallMessage>().First();
        var heartbeat = new HeartbeatMessage("user-service", 1795618641180);

        var callBytes = MessageCodecs.MessagePack.Encode(call);
        var heartbeatBytes = MessageCodecs.MessagePack.Encode(heartbeat);

        Assert.Contains("A8646561646C696E65CB", Convert.ToHexString(callBytes)); // "deadline" then float64
        Assert.EndsWith("A974696D657374616D70CB427A21336151C000", Convert.ToHexString(heartbeatBytes));
        Assert.Equal(1795618669149, ((CallMessage)MessageCodecs.MessagePack.Decode(callBytes)).Context.Deadline);
    }

    [Fact]
    public void A_register_ack_from_ipc_bro_is_exactly_its_type()
    {
        Assert.Equal("""{"type":"REGISTER_ACK"}""", System.Text.Encoding.UTF8.GetString(MessageCodecs.Json.Encode(new RegisterAckMessage())));
    }

    [Fact]
    public void A_register_ack_from_a_Bro_gateway_writes_its_extra_fields_and_reads_them_back()
    {
        var ack = new RegisterAckMessage("bro", "1.0.0", 30000);

        foreach (var codec in new IMessageCodec[] { MessageCodecs.Json, MessageCodecs.MessagePack })
        {
            Assert.Equal(ack, codec.Decode(codec.Encode(ack)));
        }
    }

    [Fact]
    public void The_duplicate_registration_error_has_neither_id_nor_timestamp()
    {
        var error = RecordedSession.All
            .Select(f => Bro.Protocol.Frames.Deserialize(f.Payload))
            .OfType<ErrorMessage>()
            .Where(e => e.Error.Code == ErrorCodes.ConnectionFailed)
            .ToList();

        Assert.Equal(2, error.Count);
        Assert.All(error, e =>
        {
            Assert.Null(e.Id);
            Assert.Null(e.Timestamp);
            Assert.Equal("Service 'user-service' is already registered", e.Error.Message);
        });
    }

    [Fact]
    public void A_decoded_raw_value_owns_its_bytes()
    {
        var frame = RecordedSession.Json.First(f => f.Decoded["type"]!.GetValue<string>() == "CALL");
        var payload = frame.Payload.ToArray();
        var call = (CallMessage)MessageCodecs.Json.Decode(payload);

        Array.Fill(payload, (byte)' ');

        Assert.Equal("""{"orderId":"ORD-1"}""", call.Params!.ToJsonString());
    }

    private static FrameHeader ExpectedHeader(BroMessage message) => message switch
    {
        RegisterMessage r => new FrameHeader(MessageType.Register, null, null, null, null, r.ServiceName, null, null,
            r.Metadata?.ToJsonElement() is { ValueKind: System.Text.Json.JsonValueKind.Object } m
            && m.TryGetProperty("poolIndex", out var p) && p.TryGetInt32(out var i) ? i : null),
        CallMessage c => new FrameHeader(MessageType.Call, c.Id, c.From, c.To, c.Method, null, c.Context.Depth, c.Context.Deadline, null,
            c.Context.Root, c.Context.Chain),
        ResponseMessage r => new FrameHeader(MessageType.Response, r.Id, r.From, r.To, null, null, r.Context?.Depth, r.Context?.Deadline, null,
            r.Context?.Root, r.Context?.Chain, r.Status, r.Error?.Code),
        HeartbeatMessage h => new FrameHeader(MessageType.Heartbeat, null, h.From, null, null, null, null, null, null),
        ErrorMessage e => new FrameHeader(MessageType.Error, e.Id, null, null, null, null, null, null, null, ErrorCode: e.Error.Code),
        _ => new FrameHeader(message.Type, null, null, null, null, null, null, null, null),
    };
}
