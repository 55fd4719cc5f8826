namespace Bro.Protocol;

/// <summary>The <c>type</c> field of every frame.</summary>
public enum MessageType
{
    /// <summary>A <c>type</c> this protocol version does not know.</summary>
    Unknown,
    /// <summary><c>REGISTER</c>: service to gateway.</summary>
    Register,
    /// <summary><c>REGISTER_ACK</c>: gateway to service.</summary>
    RegisterAck,
    /// <summary><c>CALL</c>: service to gateway to service.</summary>
    Call,
    /// <summary><c>RESPONSE</c>: service to gateway to service.</summary>
    Response,
    /// <summary><c>HEARTBEAT</c>: service to gateway.</summary>
    Heartbeat,
    /// <summary><c>ERROR</c>: gateway to service.</summary>
    Error,
    /// <summary><c>CANCEL</c>: caller to gateway to callee (a Bro extension; see <see cref="CancelMessage"/>).</summary>
    Cancel,
}
