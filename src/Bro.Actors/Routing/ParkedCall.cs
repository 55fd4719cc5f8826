using Bro.Protocol;

namespace Bro.Routing;

/// <summary>
/// A CALL waiting for its target to register (the registration grace): its caller, routing
/// fields, a copy of its frame (the reader's buffer is reused) and when the wait ends.
/// </summary>
internal sealed record ParkedCall(CallEndpoint Caller, FrameHeader Header, byte[] Frame, long WaitsUntil);
