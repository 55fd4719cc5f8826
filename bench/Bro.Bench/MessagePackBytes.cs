using System.Buffers.Binary;
using System.Text;

namespace Bro.Bench;

/// <summary>
/// Writes the few MessagePack shapes the raw templates need, by hand: the templates are built
/// once, and writing the bytes here keeps their layout (and so the id's offset) explicit.
/// </summary>
internal sealed class MessagePackBytes
{
    private readonly List<byte> _bytes = [];

    /// <summary>Bytes written so far.</summary>
    public int Length => _bytes.Count;

    /// <summary>A map header: fixmap up to 15 entries.</summary>
    public MessagePackBytes Map(int entries) => Add((byte)(0x80 | Checked(entries, 15)));

    /// <summary>An array header: fixarray up to 15 items.</summary>
    public MessagePackBytes Array(int items) => Add((byte)(0x90 | Checked(items, 15)));

    /// <summary>A string: fixstr up to 31 bytes, else str8 (up to 255).</summary>
    public MessagePackBytes Str(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        if (utf8.Length < 32)
            Add((byte)(0xA0 | utf8.Length));
        else
            Add(0xD9).Add((byte)Checked(utf8.Length, 255));
        _bytes.AddRange(utf8);
        return this;
    }

    /// <summary>A positive fixint (0 to 127).</summary>
    public MessagePackBytes Int(int value) => Add((byte)Checked(value, 127));

    /// <summary>A float64, as ipc-bro (msgpackr) writes epoch milliseconds.</summary>
    public MessagePackBytes Float64(double value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(bytes, value);
        Add(0xCB);
        _bytes.AddRange(bytes);
        return this;
    }

    /// <summary>nil.</summary>
    public MessagePackBytes Nil() => Add(0xC0);

    /// <summary>Bytes already encoded (a nested value).</summary>
    public MessagePackBytes Raw(byte[] encoded)
    {
        _bytes.AddRange(encoded);
        return this;
    }

    public byte[] ToArray() => [.. _bytes];

    private MessagePackBytes Add(byte value)
    {
        _bytes.Add(value);
        return this;
    }

    private static int Checked(int value, int max) =>
        value >= 0 && value <= max ? value : throw new ArgumentOutOfRangeException(nameof(value), $"{value} is over the {max} this writer supports");
}
