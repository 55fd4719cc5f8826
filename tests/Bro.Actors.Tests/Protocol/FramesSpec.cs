using Bro.Protocol;
using Xunit;

namespace Bro.Actors.Tests.Protocol;

public sealed class FramesSpec
{
    [Fact]
    public void Frame_prefixes_the_payload_with_its_big_endian_length()
    {
        Assert.Equal("00000003010203", Convert.ToHexString(Frames.Frame([1, 2, 3])));
        Assert.Equal("00000000", Convert.ToHexString(Frames.Frame([])));
    }

    [Fact]
    public void ReadMessageLength_needs_four_bytes()
    {
        Assert.Null(Frames.ReadMessageLength([0, 0, 1]));
        Assert.Equal(258, Frames.ReadMessageLength([0, 0, 1, 2, 9]));
    }

    [Fact]
    public void ReadMessageLength_rejects_a_length_no_frame_can_have()
    {
        var error = Assert.Throws<BroException>(() => Frames.ReadMessageLength([0xFF, 0xFF, 0xFF, 0xFF]));

        Assert.Equal(ErrorCodes.InvalidMessage, error.Code);
    }

    [Fact]
    public void HasCompleteMessage_is_true_once_prefix_and_payload_are_there()
    {
        Assert.False(Frames.HasCompleteMessage([0, 0]));
        Assert.False(Frames.HasCompleteMessage([0, 0, 0, 2, 1]));
        Assert.True(Frames.HasCompleteMessage([0, 0, 0, 2, 1, 2]));
        Assert.True(Frames.HasCompleteMessage([0, 0, 0, 0]));
    }

    [Fact]
    public void SplitMessages_returns_whole_frames_and_the_offset_of_the_rest()
    {
        byte[] buffer = [.. Frames.Frame([1]), .. Frames.Frame([2, 3]), 0, 0, 0, 5, 9];

        var payloads = Frames.SplitMessages(buffer, out var consumed);

        Assert.Equal(2, payloads.Count);
        Assert.Equal([1], payloads[0]);
        Assert.Equal([2, 3], payloads[1]);
        Assert.Equal(11, consumed);
    }

    [Fact]
    public void SplitMessages_of_a_stream_split_at_every_offset_gives_every_frame_once()
    {
        byte[] stream = [.. Frames.Frame("{\"a\":1}"u8), .. Frames.Frame([]), .. Frames.Frame([7, 7, 7])];

        for (var split = 0; split <= stream.Length; split++)
        {
            var first = Frames.SplitMessages(stream.AsSpan(0, split), out var consumed);
            byte[] rest = [.. stream.AsSpan(consumed, split - consumed), .. stream.AsSpan(split)];
            var second = Frames.SplitMessages(rest, out var consumedRest);

            Assert.Equal(3, first.Count + second.Count);
            Assert.Equal(rest.Length, consumedRest);
        }
    }

    [Fact]
    public void SplitMessages_rejects_a_frame_above_the_maximum_size()
    {
        var error = Assert.Throws<BroException>(() => Frames.SplitMessages([0, 0, 1, 0], out _, maxFrameSize: 100));

        Assert.Equal(ErrorCodes.InvalidMessage, error.Code);
        Assert.Contains("256", error.Message);
    }

    [Theory]
    [InlineData(BroEncoding.Json)]
    [InlineData(BroEncoding.MessagePack)]
    public void Serialize_then_Deserialize_gives_the_message_back(BroEncoding encoding)
    {
        var message = new HeartbeatMessage("user-service", 1795618641180);

        var frame = Frames.Serialize(message, encoding);

        Assert.Equal(frame.Length - 4, Frames.ReadMessageLength(frame));
        Assert.Equal(message, Frames.Deserialize(frame.AsMemory(4)));
    }

    [Fact]
    public void Deserialize_of_an_empty_payload_is_DESERIALIZATION_FAILED()
    {
        Assert.Equal(ErrorCodes.DeserializationFailed, Assert.Throws<BroException>(() => Frames.Deserialize(default)).Code);
    }
}
