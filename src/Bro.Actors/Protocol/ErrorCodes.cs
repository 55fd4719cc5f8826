namespace Bro.Protocol;

/// <summary>The protocol's error codes. A handler may also answer with a code of its own.</summary>
public static class ErrorCodes
{
    /// <summary>Connecting or registering failed (e.g. a duplicate service name).</summary>
    public const string ConnectionFailed = "CONNECTION_FAILED";
    /// <summary>The connection dropped while the call was in flight.</summary>
    public const string ConnectionLost = "CONNECTION_LOST";
    /// <summary>The client is not connected.</summary>
    public const string NotConnected = "NOT_CONNECTED";
    /// <summary>No service of that name is registered.</summary>
    public const string ServiceNotFound = "SERVICE_NOT_FOUND";
    /// <summary>The service does not answer that method.</summary>
    public const string MethodNotFound = "METHOD_NOT_FOUND";
    /// <summary>The handler threw.</summary>
    public const string ExecutionFailed = "EXECUTION_FAILED";
    /// <summary>No answer within the call's timeout.</summary>
    public const string Timeout = "TIMEOUT";
    /// <summary>The context's deadline has passed.</summary>
    public const string DeadlineExceeded = "DEADLINE_EXCEEDED";
    /// <summary>A frame that is not a valid protocol message.</summary>
    public const string InvalidMessage = "INVALID_MESSAGE";
    /// <summary>A value could not be encoded.</summary>
    public const string SerializationFailed = "SERIALIZATION_FAILED";
    /// <summary>A payload could not be decoded.</summary>
    public const string DeserializationFailed = "DESERIALIZATION_FAILED";
    /// <summary>A context that is missing or malformed.</summary>
    public const string InvalidContext = "INVALID_CONTEXT";
    /// <summary>The call chain is deeper than the maximum.</summary>
    public const string MaxDepthExceeded = "MAX_DEPTH_EXCEEDED";
    /// <summary>
    /// The caller already has as many calls in flight through the gateway as it may
    /// (<c>bro.gateway.max-calls-in-flight</c>); a Bro gateway answers the call over the cap with it.
    /// </summary>
    public const string MaxInFlightExceeded = "MAX_IN_FLIGHT_EXCEEDED";
    /// <summary>
    /// The gateway's policy (<c>bro.gateway.policy</c>) does not allow it: the peer may not
    /// connect, register that name, or call that service. A Bro gateway's own code.
    /// </summary>
    public const string Unauthorized = "UNAUTHORIZED";
    /// <summary>
    /// The target reads slower than it is sent to: its queue in the gateway has been full for
    /// longer than <c>bro.gateway.congestion-timeout</c>. A Bro gateway answers CALLs to it with
    /// this until it catches up; retrying later may succeed. A Bro gateway's own code.
    /// </summary>
    public const string ServiceBusy = "SERVICE_BUSY";
    /// <summary>A broken invariant inside Bro.</summary>
    public const string InternalError = "INTERNAL_ERROR";
}
