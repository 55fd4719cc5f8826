using System.Text;

namespace Bro.Protocol;

/// <summary>Building, checking and logging messages, as <c>ipc-bro</c>'s message utilities do.</summary>
public static class Messages
{
    /// <summary>A CALL with a new request id.</summary>
    /// <param name="from">The caller's service name.</param>
    /// <param name="to">The target's service name.</param>
    /// <param name="method">The target method.</param>
    /// <param name="parameters">The arguments, encoded; <c>null</c> to omit <c>params</c>.</param>
    /// <param name="context">The call's context.</param>
    /// <param name="time">The clock for the id; <see cref="TimeProvider.System"/> when <c>null</c>.</param>
    public static CallMessage BuildCall(
        string from, string to, string method, RawValue? parameters, CallContext context, TimeProvider? time = null) =>
        new(Ids.GenerateRequestId(time), from, to, method, parameters, context);

    /// <summary>The success RESPONSE to <paramref name="call"/>: its id and context, addressed back to its caller.</summary>
    /// <param name="call">The CALL answered.</param>
    /// <param name="from">The responder; the CALL's <c>to</c> when <c>null</c>.</param>
    /// <param name="data">The result, encoded.</param>
    public static ResponseMessage BuildSuccessResponse(CallMessage call, string? from = null, RawValue? data = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        return new ResponseMessage(call.Id, from ?? call.To, call.From, ResponseStatus.Success, data, null, call.Context);
    }

    /// <summary>The error RESPONSE to <paramref name="call"/>: its id and context, from its target to its caller.</summary>
    public static ResponseMessage BuildErrorResponse(CallMessage call, ErrorInfo error)
    {
        ArgumentNullException.ThrowIfNull(call);
        return BuildErrorResponse(call.Id, call.To, call.From, call.Context, error);
    }

    /// <summary>
    /// An error RESPONSE from header fields only, for a gateway that read just the frame header.
    /// Pass the CALL's <c>to</c> as <paramref name="from"/> and its <c>from</c> as <paramref name="to"/>.
    /// </summary>
    public static ResponseMessage BuildErrorResponse(string id, string from, string to, CallContext? context, ErrorInfo error) =>
        new(id, from, to, ResponseStatus.Error, null, error, context);

    /// <summary>Checks that the required strings of a message are not empty.</summary>
    /// <exception cref="BroException"><c>INVALID_MESSAGE</c> naming the empty field.</exception>
    internal static void Validate(BroMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        switch (message)
        {
            case RegisterMessage register:
                Require(register.ServiceName, "serviceName");
                break;
            case CallMessage call:
                Require(call.Id, "id");
                Require(call.From, "from");
                Require(call.To, "to");
                Require(call.Method, "method");
                Require(call.Context?.Root, "context.root");
                break;
            case ResponseMessage response:
                Require(response.Id, "id");
                Require(response.From, "from");
                Require(response.To, "to");
                break;
            case HeartbeatMessage heartbeat:
                Require(heartbeat.From, "from");
                break;
            case CancelMessage cancel:
                Require(cancel.Id, "id");
                Require(cancel.From, "from");
                Require(cancel.To, "to");
                break;
            case ErrorMessage error:
                Require(error.Error?.Message, "error.message");
                break;
        }
    }

    /// <summary>
    /// One line for logs, e.g. <c>CALL req-1-a from a to b.m params={"x":1} [root] a → b (depth: 2)</c>;
    /// params and data as JSON cut at <paramref name="maxValueLength"/> characters with "…".
    /// </summary>
    internal static string FormatForLog(BroMessage message, int maxValueLength = 100)
    {
        ArgumentNullException.ThrowIfNull(message);
        var line = new StringBuilder();
        switch (message)
        {
            case RegisterMessage register:
                line.Append($"REGISTER {register.ServiceName} methods=[{string.Join(", ", register.Methods)}]");
                if (register.Version is not null)
                {
                    line.Append($" version={register.Version}");
                }

                break;
            case RegisterAckMessage:
                line.Append("REGISTER_ACK");
                break;
            case CallMessage call:
                line.Append($"CALL {call.Id} from {call.From} to {call.To}.{call.Method}");
                AppendValue(line, "params", call.Params, maxValueLength);
                line.Append(' ').Append(CallContexts.Format(call.Context));
                break;
            case ResponseMessage response:
                line.Append($"RESPONSE {response.Id} from {response.From} to {response.To} {(response.Status == ResponseStatus.Success ? "success" : "error")}");
                AppendValue(line, "data", response.Data, maxValueLength);
                AppendError(line, response.Error);
                break;
            case HeartbeatMessage heartbeat:
                line.Append($"HEARTBEAT from {heartbeat.From} at {heartbeat.Timestamp}");
                break;
            case CancelMessage cancel:
                line.Append($"CANCEL {cancel.Id} from {cancel.From} to {cancel.To}");
                if (cancel.Reason is not null)
                {
                    line.Append(' ').Append(cancel.Reason);
                }

                break;
            case ErrorMessage error:
                line.Append("ERROR");
                if (error.Id is not null)
                {
                    line.Append(' ').Append(error.Id);
                }

                AppendError(line, error.Error);
                break;
            default:
                line.Append(message.Type);
                break;
        }

        return line.ToString();
    }

    private static void Require(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new BroException(ErrorCodes.InvalidMessage, $"Field '{field}' must not be empty");
        }
    }

    private static void AppendValue(StringBuilder line, string name, RawValue? value, int maxLength)
    {
        if (value is null)
        {
            return;
        }

        string text;
        try
        {
            text = value.ToJsonString();
        }
        catch (BroException)
        {
            // A log line must never fail: a value without a JSON form is shown by size.
            text = $"<{value.Bytes.Length} bytes {value.Encoding}>";
        }

        if (text.Length > maxLength)
        {
            text = string.Concat(text.AsSpan(0, Math.Max(0, maxLength)), "…");
        }

        line.Append(' ').Append(name).Append('=').Append(text);
    }

    private static void AppendError(StringBuilder line, ErrorInfo? error)
    {
        if (error is not null)
        {
            line.Append($" {error.Code ?? "ERROR"}: {error.Message}");
        }
    }
}
