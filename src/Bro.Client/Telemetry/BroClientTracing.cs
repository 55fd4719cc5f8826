namespace Bro.Client.Telemetry;

/// <summary>
/// The names a tracer subscribes to. A <see cref="BroClient"/> starts its activities on the
/// <see cref="System.Diagnostics.ActivitySource"/> named <see cref="SourceName"/>; with nobody
/// listening it starts none, and a call costs what it did without tracing.
/// </summary>
/// <remarks>
/// Each outgoing call is an activity of kind <c>Client</c>, each handled call one of kind
/// <c>Server</c>, both named <c>{service}.{method}</c>. The caller's W3C trace context travels
/// in the CALL's context (<see cref="Bro.Protocol.CallContext.TraceParent"/>), so the handler's
/// activity is a child of the caller's, and a call made inside a handler a child of the handler's:
/// a chain of nested calls is one trace.
/// </remarks>
public static class BroClientTracing
{
    /// <summary>The activity source name, <c>Bro.Client</c> (for OpenTelemetry's <c>AddSource</c>).</summary>
    public const string SourceName = "Bro.Client";

    /// <summary>Tag naming the root id of the call's Bro context (<see cref="Bro.Protocol.CallContext.Root"/>).</summary>
    public const string RootTag = "bro.root";

    /// <summary>Tag holding the call's depth in its chain (<see cref="Bro.Protocol.CallContext.Depth"/>).</summary>
    public const string DepthTag = "bro.depth";

    /// <summary>Tag naming the calling service.</summary>
    public const string CallerTag = "bro.caller";

    /// <summary>Tag holding the request id.</summary>
    public const string CallIdTag = "bro.call_id";

    /// <summary>Tag holding the error code of a failed call (OpenTelemetry's <c>error.type</c>).</summary>
    public const string ErrorTypeTag = "error.type";
}
