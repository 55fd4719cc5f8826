using System.Text;
using Bro.Codecs;
using Bro.Protocol;
using MessagePack;
using Xunit;

namespace Bro.Actors.Tests.Codecs;

/// <summary>The CANCEL frame in both encodings, and the REGISTER feature flag that lets a gateway send it.</summary>
public sealed class CancelFrameSpec
{
    private const string Json = """{"type":"CANCEL","id":"req-1","from":"order","to":"user","reason":"CANCELLED"}""";

    [Fact]
    public void A_CANCEL_decodes_and_encodes_to_the_same_JSON()
    {
        var cancel = (CancelMessage)MessageCodecs.Json.Decode(Encoding.UTF8.GetBytes(Json));

        Assert.Equal(new CancelMessage("req-1", "order", "user", CancelReasons.Cancelled), cancel);
        Assert.Equal(Json, Encoding.UTF8.GetString(MessageCodecs.Json.Encode(cancel)));
    }

    [Fact]
    public void A_CANCEL_without_a_reason_round_trips_in_MessagePack_as_the_map_of_its_JSON()
    {
        var cancel = new CancelMessage("req-1", "order", "user");

        var payload = MessageCodecs.MessagePack.Encode(cancel);

        Assert.Equal("""{"type":"CANCEL","id":"req-1","from":"order","to":"user"}""", MessagePackSerializer.ConvertToJson(payload));
        Assert.Equal(cancel, MessageCodecs.MessagePack.Decode(payload));
    }

    [Fact]
    public void A_CANCELs_header_names_its_call_caller_and_callee_in_both_encodings()
    {
        var expected = new FrameHeader(MessageType.Cancel, "req-1", "order", "user", null, null, null, null, null);

        Assert.Equal(expected, MessageCodecs.Json.ReadHeader(Encoding.UTF8.GetBytes(Json)));
        Assert.Equal(expected, MessageCodecs.MessagePack.ReadHeader(MessagePackSerializer.ConvertFromJson(Json)));
    }

    [Theory]
    [InlineData("""{"type":"CANCEL","from":"order","to":"user"}""", "id")]
    [InlineData("""{"type":"CANCEL","id":"req-1","to":"user"}""", "from")]
    [InlineData("""{"type":"CANCEL","id":"req-1","from":"order"}""", "to")]
    public void A_CANCEL_missing_a_field_is_INVALID_MESSAGE(string json, string field)
    {
        var error = Assert.Throws<BroException>(() => MessageCodecs.Json.ReadHeader(Encoding.UTF8.GetBytes(json)));

        Assert.Equal(ErrorCodes.InvalidMessage, error.Code);
        Assert.Contains($"'{field}'", error.Message);
    }

    [Fact]
    public void A_CANCEL_is_logged_with_its_reason()
    {
        Assert.Equal("CANCEL req-1 from order to user CANCELLED",
            Messages.FormatForLog(new CancelMessage("req-1", "order", "user", CancelReasons.Cancelled)));
    }

    [Theory]
    [InlineData("""{"features":["cancel"]}""", true)]
    [InlineData("""{"poolIndex":2,"features":["other","cancel"]}""", true)]
    [InlineData("""{"features":["other"]}""", false)]
    [InlineData("""{"features":"cancel"}""", false)]
    [InlineData("""{"poolIndex":1}""", false)]
    [InlineData("""["cancel"]""", false)]
    public void REGISTER_metadata_announces_cancel_only_as_a_string_in_its_features_array(string metadata, bool announced)
    {
        var json = new RawValue(BroEncoding.Json, Encoding.UTF8.GetBytes(metadata));
        var messagePack = new RawValue(BroEncoding.MessagePack, MessagePackSerializer.ConvertFromJson(metadata));

        Assert.Equal(announced, BroFeatures.Announces(json, BroFeatures.Cancel));
        Assert.Equal(announced, BroFeatures.Announces(messagePack, BroFeatures.Cancel));
    }

    [Fact]
    public void A_REGISTER_without_metadata_announces_nothing() =>
        Assert.False(BroFeatures.Announces(null, BroFeatures.Cancel));
}
