using MessagePack;

namespace Bro.Codecs.Internal;

/// <summary>Reads the fields of one MessagePack payload into a <see cref="MessageFields"/>.</summary>
internal static class MessagePackFieldReader
{
    public static MessageFields Read(ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty)
        {
            throw CodecErrors.Malformed("Empty MessagePack payload");
        }

        var reader = new MessagePackReader(payload);
        try
        {
            if (reader.NextMessagePackType != MessagePackType.Map)
            {
                throw CodecErrors.Malformed(
                    $"MessagePack payload is a {reader.NextMessagePackType}, not a map ({payload.Length} bytes)");
            }

            var fields = new MessageFields();
            var count = reader.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                if (!(IsString(ref reader) && reader.TryReadStringSpan(out var key)))
                {
                    // A non-string key names no protocol field: skip it and its value.
                    ValueTranscoder.SkipMessagePack(ref reader, 1);
                    ValueTranscoder.SkipMessagePack(ref reader, 1);
                    continue;
                }

                ReadField(ref reader, key, fields);
            }

            if (!reader.End)
            {
                throw CodecErrors.Malformed(
                    $"{payload.Length - reader.Consumed} trailing bytes after a message of {reader.Consumed} bytes");
            }

            return fields;
        }
        catch (EndOfStreamException ex)
        {
            throw CodecErrors.Malformed(
                $"Truncated MessagePack payload: {payload.Length} bytes end inside the message", ex);
        }
        catch (MessagePackSerializationException ex)
        {
            throw CodecErrors.Malformed(
                $"Invalid MessagePack at byte {reader.Consumed} of {payload.Length}: {ex.Message}", ex);
        }
    }

    private static void ReadField(ref MessagePackReader reader, ReadOnlySpan<byte> key, MessageFields fields)
    {
        if (key.SequenceEqual("type"u8))
        {
            fields.Type = ReadKnownString(ref reader, "type");
        }
        else if (key.SequenceEqual("id"u8))
        {
            fields.Id = ReadString(ref reader, "id");
        }
        else if (key.SequenceEqual("from"u8))
        {
            fields.From = ReadString(ref reader, "from");
        }
        else if (key.SequenceEqual("to"u8))
        {
            fields.To = ReadString(ref reader, "to");
        }
        else if (key.SequenceEqual("method"u8))
        {
            fields.Method = ReadString(ref reader, "method");
        }
        else if (key.SequenceEqual("serviceName"u8))
        {
            fields.ServiceName = ReadString(ref reader, "serviceName");
        }
        else if (key.SequenceEqual("methods"u8))
        {
            fields.Methods = ReadStrings(ref reader, "methods");
        }
        else if (key.SequenceEqual("version"u8))
        {
            fields.Version = ReadString(ref reader, "version");
        }
        else if (key.SequenceEqual("status"u8))
        {
            fields.Status = ReadKnownString(ref reader, "status");
        }
        else if (key.SequenceEqual("gateway"u8))
        {
            fields.Gateway = ReadString(ref reader, "gateway");
        }
        else if (key.SequenceEqual("timestamp"u8))
        {
            fields.Timestamp = ReadInteger(ref reader, "timestamp");
        }
        else if (key.SequenceEqual("heartbeatInterval"u8))
        {
            fields.HeartbeatInterval = ReadInteger(ref reader, "heartbeatInterval");
        }
        else if (key.SequenceEqual("reason"u8))
        {
            fields.Reason = ReadString(ref reader, "reason");
        }
        else if (key.SequenceEqual("params"u8))
        {
            fields.Params = ReadRaw(ref reader);
        }
        else if (key.SequenceEqual("data"u8))
        {
            fields.Data = ReadRaw(ref reader);
        }
        else if (key.SequenceEqual("metadata"u8))
        {
            ReadMetadata(ref reader, fields);
        }
        else if (key.SequenceEqual("context"u8))
        {
            ReadContext(ref reader, fields);
        }
        else if (key.SequenceEqual("error"u8))
        {
            ReadError(ref reader, fields);
        }
        else
        {
            ValueTranscoder.SkipMessagePack(ref reader, 1);
        }
    }

    private static void ReadContext(ref MessagePackReader reader, MessageFields fields)
    {
        var count = StartMap(ref reader, "context");
        if (count < 0)
        {
            return;
        }

        fields.HasContext = true;
        for (var i = 0; i < count; i++)
        {
            if (!(IsString(ref reader) && reader.TryReadStringSpan(out var key)))
            {
                ValueTranscoder.SkipMessagePack(ref reader, 2);
                ValueTranscoder.SkipMessagePack(ref reader, 2);
            }
            else if (key.SequenceEqual("root"u8))
            {
                fields.Root = ReadString(ref reader, "context.root");
            }
            else if (key.SequenceEqual("chain"u8))
            {
                fields.Chain = ReadStrings(ref reader, "context.chain");
            }
            else if (key.SequenceEqual("depth"u8))
            {
                fields.Depth = ReadInteger(ref reader, "context.depth");
            }
            else if (key.SequenceEqual("deadline"u8))
            {
                fields.Deadline = ReadInteger(ref reader, "context.deadline");
            }
            else if (key.SequenceEqual("traceparent"u8))
            {
                fields.TraceParent = ReadString(ref reader, "context.traceparent");
            }
            else if (key.SequenceEqual("tracestate"u8))
            {
                fields.TraceState = ReadString(ref reader, "context.tracestate");
            }
            else
            {
                ValueTranscoder.SkipMessagePack(ref reader, 2);
            }
        }
    }

    private static void ReadError(ref MessagePackReader reader, MessageFields fields)
    {
        var count = StartMap(ref reader, "error");
        if (count < 0)
        {
            return;
        }

        fields.HasError = true;
        for (var i = 0; i < count; i++)
        {
            if (!(IsString(ref reader) && reader.TryReadStringSpan(out var key)))
            {
                ValueTranscoder.SkipMessagePack(ref reader, 2);
                ValueTranscoder.SkipMessagePack(ref reader, 2);
            }
            else if (key.SequenceEqual("message"u8))
            {
                fields.ErrorMessage = ReadString(ref reader, "error.message");
            }
            else if (key.SequenceEqual("code"u8))
            {
                fields.ErrorCode = ReadString(ref reader, "error.code");
            }
            else if (key.SequenceEqual("stack"u8))
            {
                fields.ErrorStack = ReadString(ref reader, "error.stack");
            }
            else
            {
                ValueTranscoder.SkipMessagePack(ref reader, 2);
            }
        }
    }

    /// <summary>Keeps metadata raw, picking out a numeric <c>poolIndex</c> on the way through.</summary>
    private static void ReadMetadata(ref MessagePackReader reader, MessageFields fields)
    {
        var start = (int)reader.Consumed;
        if (reader.NextMessagePackType == MessagePackType.Map)
        {
            var count = reader.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                if (!(IsString(ref reader) && reader.TryReadStringSpan(out var key)))
                {
                    ValueTranscoder.SkipMessagePack(ref reader, 2);
                    ValueTranscoder.SkipMessagePack(ref reader, 2);
                }
                else if (key.SequenceEqual("poolIndex"u8)
                    && reader.NextMessagePackType is MessagePackType.Integer or MessagePackType.Float)
                {
                    if (MessagePackNumbers.TryReadInt64(ref reader, out var index)
                        && index is >= int.MinValue and <= int.MaxValue)
                    {
                        fields.PoolIndex = (int)index;
                    }
                }
                else
                {
                    ValueTranscoder.SkipMessagePack(ref reader, 2);
                }
            }
        }
        else
        {
            ValueTranscoder.SkipMessagePack(ref reader, 1);
        }

        fields.Metadata = new Range(start, (int)reader.Consumed);
    }

    /// <summary>
    /// Whether the next value is a string: <c>TryReadStringSpan</c> throws on other types, and
    /// a key of another type names no protocol field (it returns false only for a string split
    /// over segments, which a single payload buffer never is).
    /// </summary>
    private static bool IsString(ref MessagePackReader reader) => reader.NextMessagePackType == MessagePackType.String;

    private static Range ReadRaw(ref MessagePackReader reader)
    {
        var start = (int)reader.Consumed;
        ValueTranscoder.SkipMessagePack(ref reader, 1);
        return new Range(start, (int)reader.Consumed);
    }

    /// <summary>Reads a map header; -1 for nil (an absent object).</summary>
    private static int StartMap(ref MessagePackReader reader, string field)
    {
        if (reader.TryReadNil())
        {
            return -1;
        }

        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            throw CodecErrors.WrongType(field, "a map", reader.NextMessagePackType.ToString());
        }

        return reader.ReadMapHeader();
    }

    private static string? ReadString(ref MessagePackReader reader, string field)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        if (reader.NextMessagePackType != MessagePackType.String)
        {
            throw CodecErrors.WrongType(field, "a string", reader.NextMessagePackType.ToString());
        }

        return reader.ReadString();
    }

    /// <summary>As <see cref="ReadString"/>, sharing the instance of a value every frame repeats.</summary>
    private static string? ReadKnownString(ref MessagePackReader reader, string field)
    {
        if (reader.NextMessagePackType == MessagePackType.String)
        {
            var peek = reader.CreatePeekReader();
            if (peek.TryReadStringSpan(out var utf8) && KnownStrings.Find(utf8) is { } known)
            {
                reader = peek;
                return known;
            }
        }

        return ReadString(ref reader, field);
    }

    private static List<string>? ReadStrings(ref MessagePackReader reader, string field)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        if (reader.NextMessagePackType != MessagePackType.Array)
        {
            throw CodecErrors.WrongType(field, "an array of strings", reader.NextMessagePackType.ToString());
        }

        var count = reader.ReadArrayHeader();
        var list = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            if (reader.NextMessagePackType != MessagePackType.String)
            {
                throw CodecErrors.WrongType(
                    field, "an array of strings", $"an array holding a {reader.NextMessagePackType}");
            }

            list.Add(reader.ReadString()!);
        }

        return list;
    }

    private static long? ReadInteger(ref MessagePackReader reader, string field)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        var type = reader.NextMessagePackType;
        if (type is not (MessagePackType.Integer or MessagePackType.Float))
        {
            throw CodecErrors.WrongType(field, "a number", type.ToString());
        }

        return MessagePackNumbers.TryReadInt64(ref reader, out var value)
            ? value
            : throw CodecErrors.Invalid($"Field '{field}' is out of range");
    }
}
