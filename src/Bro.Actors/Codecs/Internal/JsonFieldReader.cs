using System.Text.Json;

namespace Bro.Codecs.Internal;

/// <summary>Reads the fields of one JSON payload into a <see cref="MessageFields"/>.</summary>
internal static class JsonFieldReader
{
    public static MessageFields Read(ReadOnlySpan<byte> payload)
    {
        if (payload.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw CodecErrors.Malformed($"Empty JSON payload ({payload.Length} bytes)");
        }

        var reader = new Utf8JsonReader(payload, ValueTranscoder.JsonReaderOptions);
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw CodecErrors.Malformed($"JSON payload is a {reader.TokenType}, not an object ({payload.Length} bytes)");
            }

            var fields = new MessageFields();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                ReadField(ref reader, fields);
            }

            // Utf8JsonReader throws here on anything but whitespace after the object.
            reader.Read();
            return fields;
        }
        catch (JsonException ex)
        {
            throw CodecErrors.Malformed(
                $"Invalid JSON at byte {reader.BytesConsumed} of {payload.Length}: {ex.Message}", ex);
        }
    }

    private static void ReadField(ref Utf8JsonReader reader, MessageFields fields)
    {
        if (reader.ValueTextEquals("type"u8))
        {
            fields.Type = ReadKnownString(ref reader, "type");
        }
        else if (reader.ValueTextEquals("id"u8))
        {
            fields.Id = ReadString(ref reader, "id");
        }
        else if (reader.ValueTextEquals("from"u8))
        {
            fields.From = ReadString(ref reader, "from");
        }
        else if (reader.ValueTextEquals("to"u8))
        {
            fields.To = ReadString(ref reader, "to");
        }
        else if (reader.ValueTextEquals("method"u8))
        {
            fields.Method = ReadString(ref reader, "method");
        }
        else if (reader.ValueTextEquals("serviceName"u8))
        {
            fields.ServiceName = ReadString(ref reader, "serviceName");
        }
        else if (reader.ValueTextEquals("methods"u8))
        {
            fields.Methods = ReadStrings(ref reader, "methods");
        }
        else if (reader.ValueTextEquals("version"u8))
        {
            fields.Version = ReadString(ref reader, "version");
        }
        else if (reader.ValueTextEquals("status"u8))
        {
            fields.Status = ReadKnownString(ref reader, "status");
        }
        else if (reader.ValueTextEquals("gateway"u8))
        {
            fields.Gateway = ReadString(ref reader, "gateway");
        }
        else if (reader.ValueTextEquals("timestamp"u8))
        {
            fields.Timestamp = ReadInteger(ref reader, "timestamp");
        }
        else if (reader.ValueTextEquals("heartbeatInterval"u8))
        {
            fields.HeartbeatInterval = ReadInteger(ref reader, "heartbeatInterval");
        }
        else if (reader.ValueTextEquals("reason"u8))
        {
            fields.Reason = ReadString(ref reader, "reason");
        }
        else if (reader.ValueTextEquals("params"u8))
        {
            fields.Params = ReadRaw(ref reader);
        }
        else if (reader.ValueTextEquals("data"u8))
        {
            fields.Data = ReadRaw(ref reader);
        }
        else if (reader.ValueTextEquals("metadata"u8))
        {
            ReadMetadata(ref reader, fields);
        }
        else if (reader.ValueTextEquals("context"u8))
        {
            ReadContext(ref reader, fields);
        }
        else if (reader.ValueTextEquals("error"u8))
        {
            ReadError(ref reader, fields);
        }
        else
        {
            reader.Read();
            reader.Skip();
        }
    }

    private static void ReadContext(ref Utf8JsonReader reader, MessageFields fields)
    {
        if (!StartObject(ref reader, "context"))
        {
            return;
        }

        fields.HasContext = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("root"u8))
            {
                fields.Root = ReadString(ref reader, "context.root");
            }
            else if (reader.ValueTextEquals("chain"u8))
            {
                fields.Chain = ReadStrings(ref reader, "context.chain");
            }
            else if (reader.ValueTextEquals("depth"u8))
            {
                fields.Depth = ReadInteger(ref reader, "context.depth");
            }
            else if (reader.ValueTextEquals("deadline"u8))
            {
                fields.Deadline = ReadInteger(ref reader, "context.deadline");
            }
            else if (reader.ValueTextEquals("traceparent"u8))
            {
                fields.TraceParent = ReadString(ref reader, "context.traceparent");
            }
            else if (reader.ValueTextEquals("tracestate"u8))
            {
                fields.TraceState = ReadString(ref reader, "context.tracestate");
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static void ReadError(ref Utf8JsonReader reader, MessageFields fields)
    {
        if (!StartObject(ref reader, "error"))
        {
            return;
        }

        fields.HasError = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("message"u8))
            {
                fields.ErrorMessage = ReadString(ref reader, "error.message");
            }
            else if (reader.ValueTextEquals("code"u8))
            {
                fields.ErrorCode = ReadString(ref reader, "error.code");
            }
            else if (reader.ValueTextEquals("stack"u8))
            {
                fields.ErrorStack = ReadString(ref reader, "error.stack");
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    /// <summary>Keeps metadata raw, picking out a numeric <c>poolIndex</c> on the way through.</summary>
    private static void ReadMetadata(ref Utf8JsonReader reader, MessageFields fields)
    {
        reader.Read();
        var start = (int)reader.TokenStartIndex;
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isPoolIndex = reader.ValueTextEquals("poolIndex"u8);
                reader.Read();
                if (isPoolIndex && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var index))
                {
                    fields.PoolIndex = index;
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        else
        {
            reader.Skip();
        }

        fields.Metadata = new Range(start, (int)reader.BytesConsumed);
    }

    private static Range ReadRaw(ref Utf8JsonReader reader)
    {
        reader.Read();
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return new Range(start, (int)reader.BytesConsumed);
    }

    /// <summary>Moves onto the value; <c>false</c> for null (an absent object).</summary>
    private static bool StartObject(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.Null => false,
            JsonTokenType.StartObject => true,
            _ => throw CodecErrors.WrongType(field, "an object", reader.TokenType.ToString()),
        };
    }

    private static string? ReadString(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => reader.GetString(),
            _ => throw CodecErrors.WrongType(field, "a string", reader.TokenType.ToString()),
        };
    }

    /// <summary>As <see cref="ReadString"/>, sharing the instance of a value every frame repeats.</summary>
    private static string? ReadKnownString(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence &&
            KnownStrings.Find(reader.ValueSpan) is { } known)
        {
            return known;
        }

        return reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => reader.GetString(),
            _ => throw CodecErrors.WrongType(field, "a string", reader.TokenType.ToString()),
        };
    }

    private static List<string>? ReadStrings(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw CodecErrors.WrongType(field, "an array of strings", reader.TokenType.ToString());
        }

        var list = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw CodecErrors.WrongType(field, "an array of strings", $"an array holding a {reader.TokenType}");
            }

            list.Add(reader.GetString()!);
        }

        return list;
    }

    /// <summary>Any JSON number; a fraction is truncated (a JavaScript peer may compute one).</summary>
    private static long? ReadInteger(ref Utf8JsonReader reader, string field)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var integer))
                {
                    return integer;
                }

                if (reader.TryGetDouble(out var number) && MessagePackNumbers.TryTruncate(number, out integer))
                {
                    return integer;
                }

                throw CodecErrors.Invalid($"Field '{field}' is out of range");
            default:
                throw CodecErrors.WrongType(field, "a number", reader.TokenType.ToString());
        }
    }
}
