namespace Bro.Protocol;

/// <summary>The context carried through nested calls.</summary>
/// <param name="Root">Correlation id of the whole chain, e.g. <c>root-1699005123456-x1y2z3</c>.</param>
/// <param name="Chain">The services the request passed through.</param>
/// <param name="Depth">Length of the chain so far, at least 1.</param>
/// <param name="Deadline">Absolute deadline, epoch milliseconds.</param>
/// <remarks>
/// <see cref="TraceParent"/> and <see cref="TraceState"/> are extra fields of the wire context
/// (<c>traceparent</c>, <c>tracestate</c>): <c>ipc-bro</c> peers ignore them, as every reader
/// ignores fields it does not know, and both codecs carry them through a transcoded route.
/// </remarks>
public sealed record CallContext(string Root, IReadOnlyList<string> Chain, int Depth, long Deadline)
{
    /// <summary>
    /// The W3C trace context of the call (<c>00-{trace-id}-{parent-id}-{flags}</c>): the caller's
    /// span, so the handler's span is its child. <c>null</c> (default) when the caller traces
    /// nothing; a nested call of an untraced handler passes on what it received.
    /// </summary>
    public string? TraceParent { get; init; }

    /// <summary>The W3C <c>tracestate</c> travelling with <see cref="TraceParent"/>; <c>null</c> (default) when empty.</summary>
    public string? TraceState { get; init; }
}
