using System.Diagnostics;
using Bro.Protocol;

namespace Bro.Client.Telemetry.Internal;

/// <summary>
/// Starts and ends the activities of calls. Every method checks for listeners first and builds
/// no name or tag without an activity, so tracing nobody listens to costs one check per call.
/// </summary>
internal static class CallActivities
{
    /// <summary>The client's activity source.</summary>
    public static readonly ActivitySource Source = new(
        BroClientTracing.SourceName, typeof(CallActivities).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// Starts the activity of an outgoing call, a child of the current activity (the handler's,
    /// inside a handler), else of the span <paramref name="context"/>'s <c>traceparent</c> names
    /// (a context passed in <see cref="CallOptions.Context"/>); <c>null</c> when nobody listens
    /// or the sampler drops it.
    /// </summary>
    /// <remarks>
    /// The caller's <see cref="Activity.Current"/> is left as it was: the call's activity ends
    /// when its response arrives, on another thread, and the caller's code after the call is
    /// not part of it.
    /// </remarks>
    public static Activity? StartCall(string service, string method, CallContext context)
    {
        if (!Source.HasListeners())
            return null;
        var name = service + "." + method;
        var current = Activity.Current;
        var activity = current is null && Parent(context) is { } parent
            ? Source.StartActivity(name, ActivityKind.Client, parent)
            : Source.StartActivity(name, ActivityKind.Client);
        Activity.Current = current;
        return activity;
    }

    /// <summary>
    /// Starts the activity of a handled call, a child of the caller's activity named by the
    /// context's <c>traceparent</c> (a new trace when it has none); <c>null</c> when nobody
    /// listens. It becomes <see cref="Activity.Current"/>: call it inside the handler's own task.
    /// </summary>
    public static Activity? StartHandler(CallMessage call)
    {
        if (!Source.HasListeners())
            return null;
        var name = call.To + "." + call.Method;

        // The read loop's flow may hold an unrelated activity (whatever was current when the
        // connection opened): a handler's parent is its caller, or nobody.
        Activity.Current = null;
        var activity = Parent(call.Context) is { } parent
            ? Source.StartActivity(name, ActivityKind.Server, parent)
            : Source.StartActivity(name, ActivityKind.Server);
        if (activity is { IsAllDataRequested: true })
            Describe(activity, call);
        return activity;
    }

    /// <summary>The context <paramref name="context"/> with the W3C trace context of <paramref name="activity"/>.</summary>
    public static CallContext Carry(CallContext context, Activity activity) =>
        activity.IdFormat == ActivityIdFormat.W3C
            ? context with { TraceParent = activity.Id, TraceState = activity.TraceStateString }
            : context;

    /// <summary>Tags <paramref name="activity"/> with the call's Bro identity.</summary>
    public static void Describe(Activity activity, CallMessage call)
    {
        activity.SetTag("rpc.system", "bro");
        activity.SetTag("rpc.service", call.To);
        activity.SetTag("rpc.method", call.Method);
        activity.SetTag(BroClientTracing.CallerTag, call.From);
        activity.SetTag(BroClientTracing.CallIdTag, call.Id);
        activity.SetTag(BroClientTracing.RootTag, call.Context.Root);
        activity.SetTag(BroClientTracing.DepthTag, call.Context.Depth);
    }

    /// <summary>Marks <paramref name="activity"/> failed with <paramref name="code"/>.</summary>
    public static void Fail(Activity activity, string code, string message)
    {
        activity.SetStatus(ActivityStatusCode.Error, message);
        activity.SetTag(BroClientTracing.ErrorTypeTag, code);
    }

    /// <summary>The remote span a context's <c>traceparent</c> names, if it holds a valid one.</summary>
    private static ActivityContext? Parent(CallContext context) =>
        context.TraceParent is { } traceParent
        && ActivityContext.TryParse(traceParent, context.TraceState, isRemote: true, out var parent)
            ? parent
            : null;
}
