using Bro.Codecs.Internal;
using Bro.Protocol;
using Xunit;

namespace Bro.Actors.Tests.Codecs;

public sealed class PooledBufferWriterSpec
{
    [Fact]
    public void PooledBufferWriter_keeps_what_was_written_as_it_grows()
    {
        var writer = new PooledBufferWriter();
        for (var i = 0; i < 3000; i++)
        {
            var span = writer.GetSpan(1000);
            span[..1000].Fill((byte)i);
            writer.Advance(1000);
        }

        var written = writer.WrittenSpan;
        Assert.Equal(3_000_000, written.Length);
        for (var i = 0; i < 3000; i++)
            Assert.True(written.Slice(i * 1000, 1000).IndexOfAnyExcept((byte)i) < 0, $"block {i} changed");
    }

    [Fact]
    public void PooledBufferWriter_refuses_to_advance_past_what_it_gave()
    {
        var writer = new PooledBufferWriter();
        var available = writer.GetSpan(10).Length;
        Assert.Throws<InvalidOperationException>(() => writer.Advance(available + 1));
    }

    [Fact]
    public void PooledBufferWriter_is_empty_after_a_reset()
    {
        var writer = new PooledBufferWriter();
        writer.GetSpan(5_000_000);
        writer.Advance(5_000_000);
        writer.Reset(keepBytes: 64 * 1024);
        Assert.Equal(0, writer.WrittenSpan.Length);
        writer.GetSpan(3)[..3].Fill(7);
        writer.Advance(3);
        Assert.Equal([7, 7, 7], writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void A_megabyte_string_round_trips_through_MessagePack()
    {
        var text = new string('x', 1024 * 1024) + "✓";
        var raw = RawValue.FromObject(new { text }, BroEncoding.MessagePack);
        Assert.Equal(text, raw.Deserialize<Dictionary<string, string>>()!["text"]);
        // A str header of 5 bytes, the map's and the key's: nothing of the worst case reserved stays.
        Assert.True(raw.Bytes.Length < text.Length + 32, $"{raw.Bytes.Length} bytes");
    }
}
