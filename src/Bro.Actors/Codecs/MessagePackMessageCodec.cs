using System.Buffers;
using Bro.Codecs.Internal;
using Bro.Protocol;
using MessagePack;

namespace Bro.Codecs;

/// <summary>
/// The <c>msgpack</c> encoding, read with <see cref="MessagePackReader"/> and written with
/// <see cref="MessagePackWriter"/>. Writes as msgpackr (<c>ipc-bro</c>'s library) does: map16
/// for every map, and integers outside the int32/uint32 range (deadlines, timestamps) as
/// float64, so Node peers read plain numbers. Reads any MessagePack number width.
/// Thread-safe; use <see cref="MessageCodecs.MessagePack"/>.
/// </summary>
public sealed class MessagePackMessageCodec : IMessageCodec
{
    internal MessagePackMessageCodec()
    {
    }

    /// <inheritdoc />
    public BroEncoding Encoding => BroEncoding.MessagePack;

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
            return MessagePackFieldReader.Read(payload).ToMessage(payload.Span, BroEncoding.MessagePack, defaultDeadline, keepPayload ? payload : default(ReadOnlyMemory<byte>?));
        }
        catch (Exception ex) when (ex is not BroException)
        {
            // Untrusted bytes: whatever the reader trips over is a protocol error, never a crash.
            throw CodecErrors.Malformed($"Undecodable MessagePack payload ({payload.Length} bytes): {ex.Message}", ex);
        }
    }

    // The routing header is the gateway's business, not a user's: the interface member is
    // internal, which only an explicit implementation can implement.
    FrameHeader IMessageCodec.ReadHeader(ReadOnlySpan<byte> payload) => ReadHeader(payload);

    /// <inheritdoc cref="IMessageCodec.ReadHeader" />
    /// <remarks>
    /// <see cref="MessagePackReader"/> reads only memory, not spans, so the payload is copied
    /// into a pooled buffer first; raw values are skipped, never copied out.
    /// </remarks>
    internal FrameHeader ReadHeader(ReadOnlySpan<byte> payload)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(payload.Length);
        try
        {
            payload.CopyTo(buffer);
            return MessagePackFieldReader.Read(buffer.AsMemory(0, payload.Length)).ToHeader();
        }
        catch (Exception ex) when (ex is not BroException)
        {
            throw CodecErrors.Malformed($"Undecodable MessagePack payload ({payload.Length} bytes): {ex.Message}", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc />
    /// <exception cref="BroException">
    /// <c>SERIALIZATION_FAILED</c> when the message class is unknown or a raw value cannot be written;
    /// <c>DESERIALIZATION_FAILED</c> when a JSON raw value is not valid JSON.
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
        try
        {
            var writer = new MessagePackWriter(output);
            Write(ref writer, message);
            writer.Flush();
        }
        catch (Exception ex) when (ex is not BroException)
        {
            throw new BroException(
                ErrorCodes.SerializationFailed, $"Cannot encode {message.Type} as MessagePack: {ex.Message}", inner: ex);
        }
    }

    private static void Write(ref MessagePackWriter writer, BroMessage message)
    {
        switch (message)
        {
            case RegisterMessage register:
                MessagePackNumbers.WriteMapHeader(ref writer, 3 + Count(register.Version) + Count(register.Metadata));
                WriteString(ref writer, "type"u8, "REGISTER");
                WriteString(ref writer, "serviceName"u8, register.ServiceName);
                WriteStrings(ref writer, "methods"u8, register.Methods);
                WriteString(ref writer, "version"u8, register.Version);
                WriteRaw(ref writer, "metadata"u8, register.Metadata);
                break;
            case RegisterAckMessage ack:
                MessagePackNumbers.WriteMapHeader(
                    ref writer, 1 + Count(ack.Gateway) + Count(ack.Version) + Count(ack.HeartbeatInterval));
                WriteString(ref writer, "type"u8, "REGISTER_ACK");
                WriteString(ref writer, "gateway"u8, ack.Gateway);
                WriteString(ref writer, "version"u8, ack.Version);
                WriteInteger(ref writer, "heartbeatInterval"u8, ack.HeartbeatInterval);
                break;
            case CallMessage call:
                MessagePackNumbers.WriteMapHeader(ref writer, 6 + Count(call.Params));
                WriteString(ref writer, "type"u8, "CALL");
                WriteString(ref writer, "id"u8, call.Id);
                WriteString(ref writer, "from"u8, call.From);
                WriteString(ref writer, "to"u8, call.To);
                WriteString(ref writer, "method"u8, call.Method);
                WriteRaw(ref writer, "params"u8, call.Params);
                WriteContext(ref writer, call.Context);
                break;
            case ResponseMessage response:
                MessagePackNumbers.WriteMapHeader(
                    ref writer, 5 + Count(response.Data) + Count(response.Error) + Count(response.Context));
                WriteString(ref writer, "type"u8, "RESPONSE");
                WriteString(ref writer, "id"u8, response.Id);
                WriteString(ref writer, "from"u8, response.From);
                WriteString(ref writer, "to"u8, response.To);
                WriteString(ref writer, "status"u8, response.Status == ResponseStatus.Success ? "success" : "error");
                WriteRaw(ref writer, "data"u8, response.Data);
                WriteError(ref writer, response.Error);
                WriteContext(ref writer, response.Context);
                break;
            case HeartbeatMessage heartbeat:
                MessagePackNumbers.WriteMapHeader(ref writer, 3);
                WriteString(ref writer, "type"u8, "HEARTBEAT");
                WriteString(ref writer, "from"u8, heartbeat.From);
                WriteInteger(ref writer, "timestamp"u8, heartbeat.Timestamp);
                break;
            case CancelMessage cancel:
                MessagePackNumbers.WriteMapHeader(ref writer, 4 + Count(cancel.Reason));
                WriteString(ref writer, "type"u8, "CANCEL");
                WriteString(ref writer, "id"u8, cancel.Id);
                WriteString(ref writer, "from"u8, cancel.From);
                WriteString(ref writer, "to"u8, cancel.To);
                WriteString(ref writer, "reason"u8, cancel.Reason);
                break;
            case ErrorMessage error:
                MessagePackNumbers.WriteMapHeader(ref writer, 2 + Count(error.Id) + Count(error.Timestamp));
                WriteString(ref writer, "type"u8, "ERROR");
                WriteString(ref writer, "id"u8, error.Id);
                WriteError(ref writer, error.Error);
                WriteInteger(ref writer, "timestamp"u8, error.Timestamp);
                break;
            default:
                throw new BroException(ErrorCodes.SerializationFailed, $"Unknown message class {message.GetType().Name}");
        }
    }

    private static int Count(object? value) => value is null ? 0 : 1;

    private static void WriteStrings(ref MessagePackWriter writer, ReadOnlySpan<byte> name, IReadOnlyList<string> values)
    {
        writer.WriteString(name);
        writer.WriteArrayHeader(values.Count);
        foreach (var value in values)
        {
            writer.Write(value);
        }
    }

    private static void WriteString(ref MessagePackWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            return;
        }

        writer.WriteString(name);
        writer.Write(value);
    }

    private static void WriteInteger(ref MessagePackWriter writer, ReadOnlySpan<byte> name, long? value)
    {
        if (value is not { } number)
        {
            return;
        }

        writer.WriteString(name);
        MessagePackNumbers.WriteInteger(ref writer, number);
    }

    private static void WriteContext(ref MessagePackWriter writer, CallContext? context)
    {
        if (context is null)
        {
            return;
        }

        writer.WriteString("context"u8);
        MessagePackNumbers.WriteMapHeader(ref writer, 4 + Count(context.TraceParent) + Count(context.TraceState));
        WriteString(ref writer, "root"u8, context.Root);
        WriteStrings(ref writer, "chain"u8, context.Chain);
        WriteInteger(ref writer, "depth"u8, context.Depth);
        WriteInteger(ref writer, "deadline"u8, context.Deadline);
        WriteString(ref writer, "traceparent"u8, context.TraceParent);
        WriteString(ref writer, "tracestate"u8, context.TraceState);
    }

    private static void WriteError(ref MessagePackWriter writer, ErrorInfo? error)
    {
        if (error is null)
        {
            return;
        }

        writer.WriteString("error"u8);
        MessagePackNumbers.WriteMapHeader(ref writer, 1 + Count(error.Code) + Count(error.Stack));
        WriteString(ref writer, "message"u8, error.Message);
        WriteString(ref writer, "code"u8, error.Code);
        WriteString(ref writer, "stack"u8, error.Stack);
    }

    /// <summary>MessagePack bytes go out verbatim; JSON is transcoded on the way.</summary>
    private static void WriteRaw(ref MessagePackWriter writer, ReadOnlySpan<byte> name, RawValue? value)
    {
        if (value is null)
        {
            return;
        }

        writer.WriteString(name);
        if (value.Encoding == BroEncoding.MessagePack)
        {
            writer.WriteRaw(value.Bytes.Span);
        }
        else
        {
            ValueTranscoder.JsonToMessagePack(value.Bytes.Span, ref writer);
        }
    }
}
