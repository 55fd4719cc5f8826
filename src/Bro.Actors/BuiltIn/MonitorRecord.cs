namespace Bro.BuiltIn;

/// <summary>One CALL or RESPONSE the gateway routed (or answered itself), as a monitor sees it.</summary>
/// <param name="Seq">Its position in the gateway's record sequence.</param>
/// <param name="Time">When the gateway handled it, epoch milliseconds (gateway clock).</param>
/// <param name="Type"><c>CALL</c> or <c>RESPONSE</c>.</param>
/// <param name="Id">The CALL's id, as its caller chose it.</param>
/// <param name="From">The sender: the caller of a CALL, the responder of a RESPONSE.</param>
/// <param name="To">The receiver: the target of a CALL, the caller of a RESPONSE.</param>
/// <param name="Method">The method called, when known (a RESPONSE to a call routed while nobody watched has none).</param>
/// <param name="Status"><c>success</c> or <c>error</c> for a RESPONSE; <c>null</c> for a CALL.</param>
/// <param name="Code">The error code of an error RESPONSE, when it has one.</param>
/// <param name="LatencyMs">For a RESPONSE, milliseconds since its CALL was routed, when the CALL was seen.</param>
/// <param name="Root">The context's root, when the frame carried a context.</param>
/// <param name="Depth">The context's depth, when the frame carried a context.</param>
/// <param name="ByGateway">The gateway answered the call itself (unknown target, deadline, lost connection...).</param>
public sealed record MonitorRecord(
    long Seq,
    long Time,
    string Type,
    string Id,
    string? From,
    string? To,
    string? Method,
    string? Status,
    string? Code,
    double? LatencyMs,
    string? Root,
    int? Depth,
    bool ByGateway = false);
