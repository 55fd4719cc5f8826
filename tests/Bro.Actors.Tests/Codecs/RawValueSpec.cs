using System.Text.Json;
using Bro.Protocol;
using Xunit;

namespace Bro.Actors.Tests.Codecs;

public sealed class RawValueSpec
{
    private sealed record Order(string OrderId, int Quantity, double Total, string[] Tags);

    private static readonly Order Sample = new("ORD-1", 3, 99.99, ["a", "b"]);

    [Theory]
    [InlineData(BroEncoding.Json)]
    [InlineData(BroEncoding.MessagePack)]
    public void FromObject_then_Deserialize_gives_back_the_object(BroEncoding encoding)
    {
        var value = RawValue.FromObject(Sample, encoding);

        var back = value.Deserialize<Order>();

        Assert.Equal(encoding, value.Encoding);
        Assert.Equal(Sample with { Tags = [] }, back! with { Tags = [] });
        Assert.Equal(Sample.Tags, back.Tags);
    }

    [Fact]
    public void FromObject_uses_camelCase_by_default()
    {
        Assert.Equal("""{"orderId":"ORD-1","quantity":3,"total":99.99,"tags":["a","b"]}""",
            RawValue.FromObject(Sample, BroEncoding.Json).ToJsonString());
    }

    [Fact]
    public void FromObject_honours_the_given_options()
    {
        Assert.Contains("\"OrderId\"", RawValue.FromObject(Sample, BroEncoding.Json, new JsonSerializerOptions()).ToJsonString());
    }

    [Fact]
    public void MessagePack_takes_options_never_used_before_as_JSON_does()
    {
        // Options built by hand have no type info resolver until System.Text.Json first uses them.
        var value = RawValue.FromObject(
            Sample, BroEncoding.MessagePack, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });

        Assert.Contains("\"order_id\"", value.ToJsonString());
    }

    [Fact]
    public void ToJsonElement_reads_a_MessagePack_value()
    {
        var element = RawValue.FromObject(Sample, BroEncoding.MessagePack).ToJsonElement();

        Assert.Equal("ORD-1", element.GetProperty("orderId").GetString());
        Assert.Equal(99.99, element.GetProperty("total").GetDouble());
    }

    [Fact]
    public void To_the_same_encoding_is_the_same_value()
    {
        var value = RawValue.FromObject(Sample, BroEncoding.Json);

        Assert.Same(value, value.To(BroEncoding.Json));
    }

    [Fact]
    public void Deserialize_into_a_type_that_does_not_fit_is_DESERIALIZATION_FAILED()
    {
        var value = RawValue.FromObject("text", BroEncoding.MessagePack);

        Assert.Equal(ErrorCodes.DeserializationFailed, Assert.Throws<BroException>(() => value.Deserialize<int>()).Code);
    }

    [Fact]
    public void FromObject_of_an_unserializable_value_is_SERIALIZATION_FAILED()
    {
        var cycle = new Dictionary<string, object>();
        cycle["self"] = cycle;

        Assert.Equal(ErrorCodes.SerializationFailed,
            Assert.Throws<BroException>(() => RawValue.FromObject(cycle, BroEncoding.Json)).Code);
    }
}
