using System.Collections.ObjectModel;
using System.Diagnostics;
using Bro.Client.Telemetry;
using Bro.Client.Tests.Support;
using Bro.Protocol;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Client.Tests.Telemetry;

/// <summary>
/// Traces through a real gateway, read by OpenTelemetry's in-memory exporter. Other specs may run
/// at the same time and trace too: each test keeps only the spans of its own Bro root.
/// </summary>
public sealed class TracingSpec(ITestOutputHelper output) : ClientSpec(output)
{
    private readonly Spans _spans = new();
    private TracerProvider? _tracing;

    [Fact]
    public async Task Order_to_user_to_role_is_one_trace_each_span_the_child_of_the_one_before()
    {
        StartTracing();
        var seen = await OrderUserRole(BroSerializer.Json, BroSerializer.Json, BroSerializer.Json);

        var spans = await SpansOf(seen.AtRole.Root, 4);
        var orderCall = Single(spans, "user.getUser", ActivityKind.Client);
        var userHandler = Single(spans, "user.getUser", ActivityKind.Server);
        var userCall = Single(spans, "role.whoami", ActivityKind.Client);
        var roleHandler = Single(spans, "role.whoami", ActivityKind.Server);

        Assert.Single(spans.Select(s => s.TraceId).Distinct());
        Assert.Equal(default, orderCall.ParentSpanId);
        Assert.Equal(orderCall.SpanId, userHandler.ParentSpanId);
        Assert.Equal(userHandler.SpanId, userCall.ParentSpanId);
        Assert.Equal(userCall.SpanId, roleHandler.ParentSpanId);

        // The traceparent each handler found in its CALL's context names its caller's span.
        Assert.Equal(orderCall.Id, seen.AtUser.TraceParent);
        Assert.Equal(userCall.Id, seen.AtRole.TraceParent);
        Assert.Equal(roleHandler.Id, seen.RoleActivity);

        Assert.Equal("order", orderCall.GetTagItem(BroClientTracing.CallerTag));
        Assert.Equal(2, orderCall.GetTagItem(BroClientTracing.DepthTag));
        Assert.Equal("user", roleHandler.GetTagItem(BroClientTracing.CallerTag));
        Assert.Equal(3, roleHandler.GetTagItem(BroClientTracing.DepthTag));
        Assert.All(spans, s => Assert.Equal(ActivityStatusCode.Unset, s.Status));
    }

    [Fact]
    public async Task The_trace_context_crosses_MessagePack_to_JSON_to_MessagePack_routes_unchanged()
    {
        StartTracing();
        var seen = await OrderUserRole(BroSerializer.MessagePack, BroSerializer.Json, BroSerializer.MessagePack);

        var spans = await SpansOf(seen.AtRole.Root, 4);

        Assert.Equal(Single(spans, "user.getUser", ActivityKind.Client).Id, seen.AtUser.TraceParent);
        Assert.Equal(Single(spans, "role.whoami", ActivityKind.Client).Id, seen.AtRole.TraceParent);
        Assert.Single(spans.Select(s => s.TraceId).Distinct());
    }

    [Fact]
    public async Task A_failed_call_marks_the_callers_and_the_handlers_span_with_the_error_code()
    {
        StartTracing();
        var root = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await ConnectedClient("user", c => c.RegisterMethod<object, int>("fail", (_, ctx) =>
        {
            root.TrySetResult(ctx.Root);
            throw new BroException("USER_NOT_FOUND", "no such user");
        }));
        var order = await ConnectedClient("order");

        var error = await Fails(order.CallAsync<int>("user", "fail"));

        Assert.Equal("USER_NOT_FOUND", error.Code);
        var spans = await SpansOf(await root.Task.WaitAsync(Patience), 2);
        Assert.All(spans, span =>
        {
            Assert.Equal(ActivityStatusCode.Error, span.Status);
            Assert.Equal("no such user", span.StatusDescription);
            Assert.Equal("USER_NOT_FOUND", span.GetTagItem(BroClientTracing.ErrorTypeTag));
        });
    }

    [Fact]
    public async Task A_call_given_a_context_outside_any_activity_continues_the_trace_its_traceparent_names()
    {
        StartTracing();
        const string traceId = "0af7651916cd43dd8448eb211c80319c", spanId = "b7ad6b7169203331";
        var seen = new TaskCompletionSource<CallContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        await ConnectedClient("user", c => c.RegisterMethod<object, int>("get", (_, ctx) =>
        {
            seen.TrySetResult(ctx);
            return Task.FromResult(1);
        }));
        var order = await ConnectedClient("order");
        var received = CallContexts.Create("cart", TimeSpan.FromSeconds(10)) with { TraceParent = $"00-{traceId}-{spanId}-01" };

        await order.CallAsync<int>("user", "get", options: new CallOptions { Context = received }).WaitAsync(Patience);

        var call = Single(await SpansOf(received.Root, 2), "user.get", ActivityKind.Client);
        Assert.Equal(traceId, call.TraceId.ToHexString());
        Assert.Equal(spanId, call.ParentSpanId.ToHexString());
        Assert.Equal(call.Id, (await seen.Task.WaitAsync(Patience)).TraceParent);
    }

    public override async Task DisposeAsync()
    {
        _tracing?.Dispose();
        await base.DisposeAsync();
    }

    private void StartTracing() => _tracing = Sdk.CreateTracerProviderBuilder()
        .AddSource(BroClientTracing.SourceName)
        .SetSampler(new AlwaysOnSampler())
        .AddInMemoryExporter(_spans)
        .Build();

    /// <summary>order calls user.getUser, whose handler calls role.whoami.</summary>
    private async Task<Seen> OrderUserRole(BroSerializer order, BroSerializer user, BroSerializer role)
    {
        var atUser = new TaskCompletionSource<CallContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        var atRole = new TaskCompletionSource<(CallContext, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await ConnectedClient("role", c => c.RegisterMethod<object, int>("whoami", (_, ctx) =>
        {
            atRole.TrySetResult((ctx, Activity.Current?.Id));
            return Task.FromResult(3);
        }), o => o with { Serializer = role });
        BroClient userClient = null!;
        userClient = await ConnectedClient("user", c => c.RegisterMethod<object, int>("getUser", async (_, ctx) =>
        {
            atUser.TrySetResult(ctx);
            return await userClient.CallAsync<int>("role", "whoami");
        }), o => o with { Serializer = user });
        var orderClient = await ConnectedClient("order", configure: o => o with { Serializer = order });

        Assert.Equal(3, await orderClient.CallAsync<int>("user", "getUser").WaitAsync(Patience));

        var (roleContext, roleActivity) = await atRole.Task.WaitAsync(Patience);
        return new Seen(await atUser.Task.WaitAsync(Patience), roleContext, roleActivity);
    }

    /// <summary>The <paramref name="count"/> spans of Bro root <paramref name="root"/>, once all ended.</summary>
    /// <remarks>A handler's span ends after its RESPONSE is written, so it may end after the
    /// caller has its result: awaited, not assumed.</remarks>
    private async Task<List<Activity>> SpansOf(string root, int count)
    {
        List<Activity> Matching() => [.. _spans.Snapshot().Where(s => Equals(s.GetTagItem(BroClientTracing.RootTag), root))];

        await AwaitConditionAsync(() => Task.FromResult(Matching().Count >= count), Patience);
        var spans = Matching();
        Assert.Equal(count, spans.Count);
        return spans;
    }

    private static Activity Single(List<Activity> spans, string name, ActivityKind kind) =>
        Assert.Single(spans, s => s.DisplayName == name && s.Kind == kind);

    private sealed record Seen(CallContext AtUser, CallContext AtRole, string? RoleActivity);

    /// <summary>The exporter's list, safe to read while spans of other specs' calls are added.</summary>
    private sealed class Spans : Collection<Activity>
    {
        public Activity[] Snapshot()
        {
            lock (Items)
                return [.. Items];
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (Items)
                base.InsertItem(index, item);
        }
    }
}
