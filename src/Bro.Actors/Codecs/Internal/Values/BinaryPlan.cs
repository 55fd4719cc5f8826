using System.Buffers;
using System.Buffers.Text;
using System.Text.Json.Serialization.Metadata;
using MessagePack;

namespace Bro.Codecs.Internal.Values;

/// <summary>
/// <c>byte[]</c>, <see cref="ReadOnlyMemory{T}"/> and <see cref="Memory{T}"/> of bytes as MessagePack
/// bin (a Node peer gets a Buffer). Reading also takes a base64 str, which is what a value
/// written by a JSON peer becomes on its way through the gateway.
/// </summary>
internal sealed class BinaryPlan(JsonTypeInfo typeInfo) : ValuePlan(typeInfo)
{
    public override void Write(ref MessagePackWriter writer, object value, int depth) =>
        writer.Write(value switch
        {
            byte[] array => array,
            ReadOnlyMemory<byte> memory => memory.Span,
            _ => ((Memory<byte>)value).Span,
        });

    public override object? Read(ref MessagePackReader reader, int depth)
    {
        byte[]? bytes = null;
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil when TypeInfo.Type == typeof(byte[]):
                reader.ReadNil();
                return null;
            case MessagePackType.Binary:
                bytes = reader.ReadBytes()!.Value.ToArray();
                break;
            case MessagePackType.String:
                bytes = TryDecodeBase64(ref reader);
                break;
        }

        if (bytes is null)
        {
            return ReadAsJson(ref reader, depth);
        }

        if (TypeInfo.Type == typeof(byte[]))
        {
            return bytes;
        }

        if (TypeInfo.Type == typeof(ReadOnlyMemory<byte>))
        {
            return new ReadOnlyMemory<byte>(bytes);
        }

        return new Memory<byte>(bytes);
    }

    /// <summary>Strict base64, as System.Text.Json decodes it; the reader moves only on success.</summary>
    private static byte[]? TryDecodeBase64(ref MessagePackReader reader)
    {
        var probe = reader;
        var text = probe.ReadStringSequence()!.Value;
        var utf8 = text.IsSingleSegment ? text.FirstSpan : text.ToArray();
        var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(utf8.Length)];
        if (Base64.DecodeFromUtf8(utf8, decoded, out _, out var written) != OperationStatus.Done)
        {
            return null;
        }

        reader = probe;
        return written == decoded.Length ? decoded : decoded[..written];
    }
}
