using System.Buffers;
using System.Text.Json;
using Bro.Codecs.Internal;
using Bro.Protocol;

namespace Bro.Codecs;

/// <summary>
/// The <c>json</c> encoding: UTF-8 JSON read with <see cref="Utf8JsonReader"/> and written with
/// <see cref="Utf8JsonWriter"/> (no reflection serializer for the envelope). Fields are written
/// in the order <c>ipc-bro</c> writes them, so re-encoding one of its frames gives the same bytes.
/// Thread-safe; use <see cref="MessageCodecs.Json"/>.
/// </summary>
public sealed class JsonMessageCodec : IMessageCodec
{
    [ThreadStatic]
    private static Utf8JsonWriter? _writer;

    internal JsonMessageCodec()
    {
    }

    /// <inheritdoc />
    public BroEncoding Encoding => BroEncoding.Json;

    /// <inheritdoc />
    public BroMessage Decode(ReadOnlyMemory<byte> payload) => Decode(payload, defaultDeadline: null);

    /// <summary>
    /// As <see cref="Decode(ReadOnlyMemory{byte})"/>; a CALL without a deadline gets <paramref name="defaultDeadline"/>.
    /// With <paramref name="keepPayload"/>, the message's raw values are slices of <paramref name="payload"/>
    /// (memory of its own that nothing reuses) instead of copies.
    /// </summary>
    internal BroMessage Decode(ReadOnlyMemory<byte> payload, long? defaultDeadline, bool keepPayload = false)
    {
        try
        {
            return JsonFieldReader.Read(payload.Span).ToMessage(payload.Span, BroEncoding.Json, defaultDeadline, keepPayload ? payload : default(ReadOnlyMemory<byte>?));
        }
        catch (Exception ex) when (ex is not BroException)
        {
            // Untrusted bytes: whatever the reader trips over is a protocol error, never a crash.
            throw CodecErrors.Malformed($"Undecodable JSON payload ({payload.Length} bytes): {ex.Message}", ex);
        }
    }

    // The routing header is the gateway's business, not a user's: the interface member is
    // internal, which only an explicit implementation can implement.
    FrameHeader IMessageCodec.ReadHeader(ReadOnlySpan<byte> payload) => ReadHeader(payload);

    /// <inheritdoc cref="IMessageCodec.ReadHeader" />
    internal FrameHeader ReadHeader(ReadOnlySpan<byte> payload)
    {
        try
        {
            return JsonFieldReader.Read(payload).ToHeader();
        }
        catch (Exception ex) when (ex is not BroException)
        {
            throw CodecErrors.Malformed($"Undecodable JSON payload ({payload.Length} bytes): {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    /// <exception cref="BroException">
    /// <c>SERIALIZATION_FAILED</c> when a raw value is not valid JSON or the message class is unknown;
    /// <c>DESERIALIZATION_FAILED</c> when a MessagePack raw value cannot be read or has no JSON form.
    /// </exception>
    public byte[] Encode(BroMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Encode(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>As <see cref="Encode(BroMessage)"/>, appending the payload to <paramref name="output"/> (a pooled buffer).</summary>
    internal void Encode(BroMessage message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(message);
        // One writer per thread, pointed at each output in turn: a client encodes a frame per call.
        var writer = _writer ??= new Utf8JsonWriter(output, ValueTranscoder.JsonWriterOptions);
        writer.Reset(output);
        try
        {
            Write(writer, message);
            writer.Flush();
        }
        catch (Exception ex) when (ex is not BroException)
        {
            throw new BroException(
                ErrorCodes.SerializationFailed, $"Cannot encode {message.Type} as JSON: {ex.Message}", inner: ex);
        }
        finally
        {
            // Neither the output nor a half-written document outlives the call.
            writer.Reset(Stream.Null);
        }
    }

    private static void Write(Utf8JsonWriter writer, BroMessage message)
    {
        writer.WriteStartObject();
        switch (message)
        {
            case RegisterMessage register:
                writer.WriteString("type"u8, "REGISTER"u8);
                writer.WriteString("serviceName"u8, register.ServiceName);
                WriteStrings(writer, "methods"u8, register.Methods);
                WriteOptional(writer, "version"u8, register.Version);
                WriteRaw(writer, "metadata"u8, register.Metadata);
                break;
            case RegisterAckMessage ack:
                writer.WriteString("type"u8, "REGISTER_ACK"u8);
                WriteOptional(writer, "gateway"u8, ack.Gateway);
                WriteOptional(writer, "version"u8, ack.Version);
                if (ack.HeartbeatInterval is { } interval)
                {
                    writer.WriteNumber("heartbeatInterval"u8, interval);
                }

                break;
            case CallMessage call:
                writer.WriteString("type"u8, "CALL"u8);
                writer.WriteString("id"u8, call.Id);
                writer.WriteString("from"u8, call.From);
                writer.WriteString("to"u8, call.To);
                writer.WriteString("method"u8, call.Method);
                WriteRaw(writer, "params"u8, call.Params);
                WriteContext(writer, call.Context);
                break;
            case ResponseMessage response:
                writer.WriteString("type"u8, "RESPONSE"u8);
                writer.WriteString("id"u8, response.Id);
                writer.WriteString("from"u8, response.From);
                writer.WriteString("to"u8, response.To);
                writer.WriteString("status"u8, response.Status == ResponseStatus.Success ? "success"u8 : "error"u8);
                WriteRaw(writer, "data"u8, response.Data);
                WriteError(writer, response.Error);
                WriteContext(writer, response.Context);
                break;
            case HeartbeatMessage heartbeat:
                writer.WriteString("type"u8, "HEARTBEAT"u8);
                writer.WriteString("from"u8, heartbeat.From);
                writer.WriteNumber("timestamp"u8, heartbeat.Timestamp);
                break;
            case CancelMessage cancel:
                writer.WriteString("type"u8, "CANCEL"u8);
                writer.WriteString("id"u8, cancel.Id);
                writer.WriteString("from"u8, cancel.From);
                writer.WriteString("to"u8, cancel.To);
                WriteOptional(writer, "reason"u8, cancel.Reason);
                break;
            case ErrorMessage error:
                writer.WriteString("type"u8, "ERROR"u8);
                WriteOptional(writer, "id"u8, error.Id);
                WriteError(writer, error.Error);
                if (error.Timestamp is { } timestamp)
                {
                    writer.WriteNumber("timestamp"u8, timestamp);
                }

                break;
            default:
                throw new BroException(ErrorCodes.SerializationFailed, $"Unknown message class {message.GetType().Name}");
        }

        writer.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteContext(Utf8JsonWriter writer, CallContext? context)
    {
        if (context is null)
        {
            return;
        }

        writer.WriteStartObject("context"u8);
        writer.WriteString("root"u8, context.Root);
        WriteStrings(writer, "chain"u8, context.Chain);
        writer.WriteNumber("depth"u8, context.Depth);
        writer.WriteNumber("deadline"u8, context.Deadline);
        WriteOptional(writer, "traceparent"u8, context.TraceParent);
        WriteOptional(writer, "tracestate"u8, context.TraceState);
        writer.WriteEndObject();
    }

    private static void WriteError(Utf8JsonWriter writer, ErrorInfo? error)
    {
        if (error is null)
        {
            return;
        }

        writer.WriteStartObject("error"u8);
        writer.WriteString("message"u8, error.Message);
        WriteOptional(writer, "code"u8, error.Code);
        WriteOptional(writer, "stack"u8, error.Stack);
        writer.WriteEndObject();
    }

    /// <summary>JSON bytes go out verbatim; MessagePack is transcoded on the way.</summary>
    private static void WriteRaw(Utf8JsonWriter writer, ReadOnlySpan<byte> name, RawValue? value)
    {
        if (value is null)
        {
            return;
        }

        writer.WritePropertyName(name);
        if (value.Encoding == BroEncoding.Json)
        {
            writer.WriteRawValue(value.Bytes.Span);
        }
        else
        {
            ValueTranscoder.MessagePackToJson(value.Bytes, writer);
        }
    }

    private static void WriteStrings(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
