using Bro.Codecs;
using Bro.Protocol;
using Xunit;

namespace Bro.Actors.Tests.Codecs;

public sealed class EncodingDetectorSpec
{
    [Theory]
    [InlineData("7B", BroEncoding.Json)]
    [InlineData("200A0D097B", BroEncoding.Json)]
    [InlineData("80", BroEncoding.MessagePack)]
    [InlineData("8F", BroEncoding.MessagePack)]
    [InlineData("DE0000", BroEncoding.MessagePack)]
    [InlineData("DF00000000", BroEncoding.MessagePack)]
    [InlineData("", null)]
    [InlineData("20", null)]
    [InlineData("5B", null)]
    [InlineData("90", null)]
    [InlineData("DC", null)]
    [InlineData("01", null)]
    public void Detect_tells_the_encoding_from_the_first_bytes(string hex, BroEncoding? expected)
    {
        Assert.Equal(expected, EncodingDetector.Detect(Convert.FromHexString(hex)));
    }

    [Theory]
    [InlineData(BroEncoding.Json)]
    [InlineData(BroEncoding.MessagePack)]
    public void MessageCodecs_For_gives_the_singleton_of_each_encoding(BroEncoding encoding)
    {
        var codec = MessageCodecs.For(encoding);

        Assert.Equal(encoding, codec.Encoding);
        Assert.Same(codec, MessageCodecs.For(encoding));
        Assert.Same(encoding == BroEncoding.Json ? MessageCodecs.Json : MessageCodecs.MessagePack, codec);
    }

    [Fact]
    public void MessageCodecs_For_rejects_an_undefined_encoding()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MessageCodecs.For((BroEncoding)42));
    }
}
