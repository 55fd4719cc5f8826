using System.Text.Json;
using Bro.Protocol;
using MessagePack;

namespace Bro.Codecs.Internal;

/// <summary>
/// The <c>id</c>, <c>from</c> and <c>to</c> of a CALL that failed validation, read leniently: a
/// CALL that names itself and its caller is answered with an error RESPONSE carrying its id
/// (which the caller matches at once) instead of an ERROR it cannot match to anything.
/// </summary>
internal static class CallIdentity
{
    /// <summary>
    /// The CALL's identity, or <c>null</c> when the payload is not a well-formed document whose
    /// <c>type</c> is <c>CALL</c> with string <c>id</c>, <c>from</c> and <c>to</c>.
    /// </summary>
    public static (string Id, string From, string To)? TryRead(BroEncoding encoding, ReadOnlySpan<byte> payload)
    {
        try
        {
            var (type, id, from, to) = encoding == BroEncoding.Json ? FromJson(payload) : FromMessagePack(payload.ToArray());
            return type == "CALL" && id is not null && from is not null && to is not null ? (id, from, to) : null;
        }
        catch (Exception e) when (e is JsonException or MessagePackSerializationException or EndOfStreamException or InvalidOperationException)
        {
            return null;
        }
    }

    private static (string? Type, string? Id, string? From, string? To) FromJson(ReadOnlySpan<byte> payload)
    {
        string? type = null, id = null, from = null, to = null;
        var reader = new Utf8JsonReader(payload, ValueTranscoder.JsonReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            return default;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.ValueTextEquals("type"u8) ? 1 : reader.ValueTextEquals("id"u8) ? 2
                : reader.ValueTextEquals("from"u8) ? 3 : reader.ValueTextEquals("to"u8) ? 4 : 0;
            reader.Read();
            if (field == 0 || reader.TokenType != JsonTokenType.String)
            {
                reader.Skip();
                continue;
            }

            var value = reader.GetString();
            switch (field)
            {
                case 1: type = value; break;
                case 2: id = value; break;
                case 3: from = value; break;
                default: to = value; break;
            }
        }

        return (type, id, from, to);
    }

    private static (string? Type, string? Id, string? From, string? To) FromMessagePack(byte[] payload)
    {
        string? type = null, id = null, from = null, to = null;
        var reader = new MessagePackReader(payload);
        if (reader.NextMessagePackType != MessagePackType.Map)
            return default;

        var count = reader.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            var key = reader.NextMessagePackType == MessagePackType.String ? reader.ReadString() : null;
            if (key is not ("type" or "id" or "from" or "to") || reader.NextMessagePackType != MessagePackType.String)
            {
                if (key is null)
                    reader.Skip();
                reader.Skip();
                continue;
            }

            var value = reader.ReadString();
            switch (key)
            {
                case "type": type = value; break;
                case "id": id = value; break;
                case "from": from = value; break;
                default: to = value; break;
            }
        }

        return (type, id, from, to);
    }
}
