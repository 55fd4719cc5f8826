using Akka;
using Akka.IO;
using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using Bro.Transport;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Actors.Tests.Transport;

public sealed class BroFramingSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly IMaterializer _materializer;

    public BroFramingSpec(ITestOutputHelper output) : base(output: output)
    {
        _materializer = Sys.Materializer();
    }

    [Fact]
    public async Task Decoder_returns_every_payload_when_the_stream_is_split_at_random_points()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var random = new Random(seed);
            var payloads = Enumerable.Range(0, random.Next(1, 25)).Select(_ => RandomPayload(random)).ToList();
            var stream = Concat(payloads.Select(Frame));
            var chunks = SplitRandomly(stream, random);

            var decoded = await Decode(chunks, 8 * 1024);

            Assert.True(payloads.Count == decoded.Count, $"seed {seed}: {decoded.Count} payloads instead of {payloads.Count}");
            for (var i = 0; i < payloads.Count; i++)
                Assert.True(payloads[i].SequenceEqual(decoded[i].ToArray()), $"seed {seed}: payload {i} differs");
        }
    }

    [Fact]
    public async Task Decoder_returns_every_payload_when_the_stream_is_split_at_every_byte_offset()
    {
        var payloads = new[] { "{\"type\":\"HEARTBEAT\"}"u8.ToArray(), [], [0xDE, 0x00, 0x01, 0xA1, 0x61, 0x01] };
        var stream = Concat(payloads.Select(Frame));

        for (var offset = 0; offset <= stream.Length; offset++)
        {
            var decoded = await Decode([stream[..offset], stream[offset..]], 1024);
            Assert.Equal(payloads, decoded.Select(payload => payload.ToArray()));
        }

        var byteByByte = await Decode(stream.Select(b => new[] { b }).ToList(), 1024);
        Assert.Equal(payloads, byteByByte.Select(payload => payload.ToArray()));
    }

    [Fact]
    public async Task Decoder_passes_a_zero_length_frame_through_as_an_empty_payload()
    {
        var decoded = await Decode([[0, 0, 0, 0]], 1024);

        Assert.True(Assert.Single(decoded).IsEmpty);
    }

    [Fact]
    public async Task Decoder_accepts_a_payload_of_exactly_the_maximum_frame_size()
    {
        var payload = new byte[1024];
        Random.Shared.NextBytes(payload);

        var decoded = await Decode([Frame(payload)], 1024);

        Assert.Equal(payload, Assert.Single(decoded).ToArray());
    }

    [Theory]
    [InlineData(0x80000000u, 1024)]
    [InlineData(0xFFFFFFFFu, 1024)]
    [InlineData(1025u, 1024)]
    [InlineData(16u * 1024 * 1024 + 1, BroFraming.DefaultMaxFrameSize)]
    public void Decoder_fails_at_the_prefix_when_it_announces_more_than_the_maximum(uint announced, int limit)
    {
        // Upstream never completes and never sends the announced bytes: the failure must come
        // from the prefix alone, without waiting for (or allocating) the announced payload.
        var upstream = this.CreatePublisherProbe<ByteString>();
        var downstream = this.CreateSubscriberProbe<ByteString>();
        Source.FromPublisher(upstream).Via(BroFraming.Decoder(limit)).RunWith(Sink.FromSubscriber(downstream), _materializer);

        downstream.Request(1);
        upstream.SendNext(ByteString.FromBytes([.. Prefix(announced), 1, 2, 3]));

        var error = Assert.IsType<FrameTooLargeException>(downstream.ExpectError());
        Assert.Equal(announced, error.Size);
        Assert.Equal(limit, error.Limit);
        Assert.Contains(announced.ToString(), error.Message);
        Assert.Contains(limit.ToString(), error.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0 })]
    [InlineData(new byte[] { 0, 0, 0, 5, 1, 2 })]
    [InlineData(new byte[] { 0, 0, 0, 1, 7, 0, 0, 0, 3, 1 })]
    public async Task Decoder_fails_with_a_truncation_error_when_the_stream_ends_inside_a_frame(byte[] stream)
    {
        var decoding = Decode([stream], 1024);

        var error = await Assert.ThrowsAsync<FrameTruncatedException>(() => decoding);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public async Task Encoder_prefixes_each_payload_with_its_big_endian_length()
    {
        var payload = new byte[300];
        Random.Shared.NextBytes(payload);

        var encoded = await Source.From([ByteString.FromBytes(payload), ByteString.Empty])
            .Via(BroFraming.Encoder(1024))
            .RunAggregate(ByteString.Empty, (all, frame) => all + frame, _materializer)
            .WaitAsync(Timeout);

        Assert.Equal([0, 0, 0x01, 0x2C, .. payload, 0, 0, 0, 0], encoded.ToArray());
    }

    [Fact]
    public async Task Encoder_refuses_a_payload_over_the_maximum_frame_size()
    {
        var encoding = Source.Single(ByteString.FromBytes(new byte[1025]))
            .Via(BroFraming.Encoder(1024))
            .RunWith(Sink.Seq<ByteString>(), _materializer);

        var error = await Assert.ThrowsAsync<Framing.FramingException>(() => encoding.WaitAsync(Timeout));
        Assert.Contains("1024", error.Message);
        Assert.Contains("1025", error.Message);
    }

    [Fact]
    public async Task Bidi_decodes_what_it_encodes()
    {
        var payloads = Enumerable.Range(0, 50).Select(i => ByteString.FromBytes(new byte[i * 37])).ToList();
        var loopback = BroFraming.Bidi(4096).Join(Flow.Create<ByteString>());

        var decoded = await Source.From(payloads).Via(loopback).RunWith(Sink.Seq<ByteString>(), _materializer).WaitAsync(Timeout);

        Assert.Equal(payloads.Select(p => p.Count), decoded.Select(p => p.Count));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void Factories_refuse_a_maximum_frame_size_out_of_range(int maxFrameSize)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BroFraming.Decoder(maxFrameSize));
        Assert.Throws<ArgumentOutOfRangeException>(() => BroFraming.Encoder(maxFrameSize));
    }

    private async Task<IReadOnlyList<ByteString>> Decode(IReadOnlyList<byte[]> chunks, int maxFrameSize) =>
        await Source.From(chunks.Select(ByteString.FromBytes))
            .Via(BroFraming.Decoder(maxFrameSize))
            .RunWith(Sink.Seq<ByteString>(), _materializer)
            .WaitAsync(Timeout);

    private static byte[] RandomPayload(Random random)
    {
        var size = random.Next(4) switch
        {
            0 => 0,
            1 => random.Next(1, 16),
            2 => random.Next(16, 512),
            _ => random.Next(512, 6 * 1024),
        };
        var payload = new byte[size];
        random.NextBytes(payload);
        return payload;
    }

    private static List<byte[]> SplitRandomly(byte[] stream, Random random)
    {
        var chunks = new List<byte[]>();
        var offset = 0;
        while (offset < stream.Length)
        {
            var length = Math.Min(stream.Length - offset, random.Next(1, random.Next(2) == 0 ? 8 : 4096));
            chunks.Add(stream[offset..(offset + length)]);
            offset += length;
        }
        return chunks;
    }

    private static byte[] Prefix(uint length) =>
        [(byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length];

    private static byte[] Frame(byte[] payload) => [.. Prefix((uint)payload.Length), .. payload];

    private static byte[] Concat(IEnumerable<byte[]> parts) => parts.SelectMany(part => part).ToArray();
}
