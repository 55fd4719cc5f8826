using System.Text.Encodings.Web;
using System.Text.Json;
using Bro.Codecs.Internal;
using Bro.Protocol;
using Xunit;

namespace Bro.Actors.Tests.Codecs;

/// <summary>A value serialized into a caller's pooled buffer (a CALL's parameters, copied into the frame at once).</summary>
public sealed class RawValueIntoBufferSpec
{
    private sealed record Order(string OrderId, int? Quantity, byte[] Blob, DateTimeOffset At, string Note);

    private static readonly Order Sample = new("ORD-<1>", null, [1, 2, 3], new DateTimeOffset(2026, 11, 26, 16, 0, 0, TimeSpan.Zero), "é \u2028 \"q\"");

    public static TheoryData<BroEncoding, JsonSerializerOptions?> Cases => new()
    {
        { BroEncoding.Json, null },
        { BroEncoding.MessagePack, null },
        { BroEncoding.Json, new JsonSerializerOptions { WriteIndented = true, IndentSize = 3, Encoder = JavaScriptEncoder.Default } },
        {
            BroEncoding.MessagePack,
            new JsonSerializerOptions(JsonSerializerOptions.Default) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Writes_the_bytes_FromObject_gives(BroEncoding encoding, JsonSerializerOptions? options)
    {
        var buffer = new PooledBufferWriter();

        var value = RawValue.FromObject(Sample, encoding, options, buffer);

        Assert.Equal(encoding, value.Encoding);
        Assert.Equal(RawValue.FromObject(Sample, encoding, options).Bytes.ToArray(), value.Bytes.ToArray());
    }

    [Theory]
    [InlineData(BroEncoding.Json)]
    [InlineData(BroEncoding.MessagePack)]
    public void A_large_value_costs_no_array_of_its_own(BroEncoding encoding)
    {
        // 100 KB: an array of its own would be a large-object-heap allocation, per call.
        var text = new string('x', 100 * 1024);
        var buffer = new PooledBufferWriter();
        RawValue.FromObject(text, encoding, null, buffer);
        buffer.Reset(keepBytes: 0);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var value = RawValue.FromObject(text, encoding, null, buffer);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 1024, $"serializing {value.Bytes.Length} bytes allocated {allocated} bytes");
    }

    [Fact]
    public void A_failure_is_SERIALIZATION_FAILED_and_the_next_value_is_whole()
    {
        var buffer = new PooledBufferWriter();
        var cyclic = new Node();
        cyclic.Next = cyclic;

        var error = Assert.Throws<BroException>(() => RawValue.FromObject(cyclic, BroEncoding.Json, null, buffer));
        buffer.Reset(keepBytes: 0);
        var value = RawValue.FromObject(new { a = 1 }, BroEncoding.Json, null, buffer);

        Assert.Equal(ErrorCodes.SerializationFailed, error.Code);
        Assert.Equal("""{"a":1}""", value.ToJsonString());
    }

    private sealed class Node
    {
        public Node? Next { get; set; }
    }
}
