using Bro.Protocol;

namespace Bro.Codecs.Internal;

/// <summary>
/// The fields of one frame as either codec's reader found them. Both encodings fill this one
/// bag and share its validation, so JSON and MessagePack accept and reject the same messages,
/// and <c>ReadHeader</c> agrees with <c>Decode</c> by construction.
/// </summary>
/// <remarks>
/// Raw values (<c>params</c>, <c>data</c>, <c>metadata</c>) are recorded as ranges of the
/// payload; only <see cref="ToMessage"/> copies them, so a header read copies nothing.
/// </remarks>
internal sealed class MessageFields
{
    public string? Type;
    public string? Id;
    public string? From;
    public string? To;
    public string? Method;
    public string? ServiceName;
    public string? Version;
    public string? Status;
    public string? Gateway;
    public List<string>? Methods;
    public long? Timestamp;
    public long? HeartbeatInterval;
    public string? Reason;

    public bool HasContext;
    public string? Root;
    public List<string>? Chain;
    public long? Depth;
    public long? Deadline;
    public string? TraceParent;
    public string? TraceState;

    public Range? Params;
    public Range? Data;
    public Range? Metadata;
    public int? PoolIndex;

    public bool HasError;
    public string? ErrorMessage;
    public string? ErrorCode;
    public string? ErrorStack;

    /// <summary>
    /// Validates the routing fields and returns them. A CALL without a context, or whose context
    /// has no deadline, is readable here (its <see cref="FrameHeader.Deadline"/> is <c>null</c>):
    /// the gateway gives it one; only <see cref="ToMessage"/> insists on it.
    /// </summary>
    public FrameHeader ToHeader()
    {
        var type = Validate();
        return new FrameHeader(
            type, Id, From, To, Method, ServiceName,
            HasContext ? (int)Depth!.Value : null,
            HasContext ? Deadline : null,
            PoolIndex,
            // Read on the way anyway: the header shares them without another allocation.
            HasContext ? Root : null,
            HasContext ? Chain : null,
            Status switch { "success" => ResponseStatus.Success, "error" => ResponseStatus.Error, _ => null },
            HasError ? ErrorCode : null);
    }

    /// <summary>Validates every field and builds the message, copying raw values out of <paramref name="payload"/>.</summary>
    /// <param name="payload">The payload the fields were read from.</param>
    /// <param name="encoding">Its encoding.</param>
    /// <param name="defaultDeadline">The deadline a CALL without one is given (with a new
    /// context when it has none); <c>null</c> refuses such a CALL as INVALID_MESSAGE.</param>
    /// <param name="kept">The payload's memory when the message may keep it (memory of its own,
    /// which nothing reuses): raw values are then slices of it, not copies.</param>
    public BroMessage ToMessage(
        ReadOnlySpan<byte> payload, BroEncoding encoding, long? defaultDeadline = null, ReadOnlyMemory<byte>? kept = null)
    {
        var type = Validate();
        return type switch
        {
            MessageType.Register => new RegisterMessage(
                ServiceName!, Methods ?? [], Version, Raw(payload, Metadata, encoding, kept)),
            MessageType.RegisterAck => new RegisterAckMessage(Gateway, Version, HeartbeatInterval),
            MessageType.Call => new CallMessage(
                Id!, From!, To!, Method!, Raw(payload, Params, encoding, kept), BuildCallContext(defaultDeadline)),
            MessageType.Response => new ResponseMessage(
                Id!, From!, To!, Status == "success" ? ResponseStatus.Success : ResponseStatus.Error,
                Raw(payload, Data, encoding, kept), BuildError(), BuildContext()),
            MessageType.Heartbeat => new HeartbeatMessage(From!, Timestamp!.Value),
            MessageType.Cancel => new CancelMessage(Id!, From!, To!, Reason),
            _ => new ErrorMessage(Id, BuildError()!, Timestamp),
        };
    }

    private MessageType Validate()
    {
        var type = Type switch
        {
            null => throw CodecErrors.Missing("type"),
            "REGISTER" => MessageType.Register,
            "REGISTER_ACK" => MessageType.RegisterAck,
            "CALL" => MessageType.Call,
            "RESPONSE" => MessageType.Response,
            "HEARTBEAT" => MessageType.Heartbeat,
            "ERROR" => MessageType.Error,
            "CANCEL" => MessageType.Cancel,
            _ => throw CodecErrors.Invalid($"Unknown message type '{Type}'"),
        };

        switch (type)
        {
            case MessageType.Register:
                // ipc-bro always sends methods, but its gateway never reads them (the client
                // answers METHOD_NOT_FOUND itself), so a missing list is taken as empty.
                Require(ServiceName, "serviceName");
                break;
            case MessageType.Call:
                Require(Id, "id");
                Require(From, "from");
                Require(To, "to");
                Require(Method, "method");
                break;
            case MessageType.Response:
                Require(Id, "id");
                Require(From, "from");
                Require(To, "to");
                Require(Status, "status");
                if (Status is not ("success" or "error"))
                {
                    throw CodecErrors.Invalid($"Field 'status' must be 'success' or 'error', not '{Status}'");
                }

                break;
            case MessageType.Cancel:
                Require(Id, "id");
                Require(From, "from");
                Require(To, "to");
                break;
            case MessageType.Heartbeat:
                Require(From, "from");
                if (Timestamp is null)
                {
                    throw CodecErrors.Missing("timestamp");
                }

                break;
            case MessageType.Error:
                if (!HasError)
                {
                    throw CodecErrors.Missing("error");
                }

                break;
        }

        if (HasContext)
        {
            Require(Root, "context.root");
            if (Chain is null)
            {
                throw CodecErrors.Missing("context.chain");
            }

            if (Depth is null)
            {
                throw CodecErrors.Missing("context.depth");
            }

            if (Depth is < int.MinValue or > int.MaxValue)
            {
                throw CodecErrors.Invalid($"Field 'context.depth' is out of range: {Depth}");
            }

        }

        if (HasError)
        {
            Require(ErrorMessage, "error.message");
        }

        return type;
    }

    private static void Require(string? value, string field)
    {
        if (value is null)
        {
            throw CodecErrors.Missing(field);
        }
    }

    private CallContext? BuildContext() =>
        HasContext ? Context(Deadline ?? throw CodecErrors.Missing("context.deadline")) : null;

    // A CALL's context is whole when it reaches a handler: a missing deadline is the gateway's
    // default, a missing context starts a chain at the caller (as a top-level call would).
    private CallContext BuildCallContext(long? defaultDeadline)
    {
        if (defaultDeadline is not { } deadline)
            return BuildContext() ?? throw CodecErrors.Missing("context");
        return HasContext
            ? Context(Deadline ?? deadline)
            : new CallContext(Ids.GenerateRootId(), [From!], 1, deadline);
    }

    // The trace fields travel too: a transcoded route must not cut a trace in two.
    private CallContext Context(long deadline) =>
        new(Root!, Chain!, (int)Depth!.Value, deadline) { TraceParent = TraceParent, TraceState = TraceState };

    private ErrorInfo? BuildError() => HasError ? new ErrorInfo(ErrorMessage!, ErrorCode, ErrorStack) : null;

    /// <summary>
    /// Copies the value out of the payload so the message owns it (the payload buffer may be
    /// reused), unless the payload is <paramref name="kept"/>.
    /// </summary>
    private static RawValue? Raw(ReadOnlySpan<byte> payload, Range? range, BroEncoding encoding, ReadOnlyMemory<byte>? kept) =>
        range is not { } r ? null
        : kept is { } memory ? new RawValue(encoding, memory[r])
        : new RawValue(encoding, payload[r].ToArray());
}
