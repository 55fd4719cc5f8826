using Bro.Configuration;
using Bro.Protocol;
using Bro.Routing;
using Xunit;
using Xunit.Abstractions;
using Bro.Actors.Tests.Support;

namespace Bro.Actors.Tests.Routing;

/// <summary>
/// CANCEL in the data plane, as <see cref="CallRouterSpec"/> tests the rest: in-memory
/// endpoints, a clock that moves only when told. A call a caller gives up on, loses or lets
/// expire is finished without a second answer, its late RESPONSE is dropped, and its target is
/// told CANCEL only when its REGISTER announced the feature.
/// </summary>
public sealed class CallRouterCancelSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly GatewaySettings NoGrace = GatewaySettings.Default with { RegistrationGrace = TimeSpan.Zero };

    private readonly ManualClock _clock = new();
    private readonly RouteTable _routes = new();

    public CallRouterCancelSpec(ITestOutputHelper output) : base(output: output) { }

    private CallRouter Router(GatewaySettings? settings = null) => new(settings ?? NoGrace, _routes, _clock, Sys.Log, null);

    /// <summary>A registered connection of <paramref name="name"/>, understanding CANCEL when <paramref name="cancel"/>.</summary>
    private TestEndpoint Service(CallRouter router, string name, bool cancel = false, BroEncoding encoding = BroEncoding.Json)
    {
        var endpoint = TestEndpoint.Registered(name, encoding);
        endpoint.UnderstandsCancel = cancel;
        router.Attach(endpoint);
        _routes.Set(name, [endpoint]);
        return endpoint;
    }

    private CallMessage Call(string id, string from, string to, long? deadline = null) =>
        new(id, from, to, "get", RawValue.FromObject(new { n = 42 }, BroEncoding.Json),
            new CallContext("root-1", [from, to], 1, deadline ?? _clock.NowMs + 5_000));

    private static ResponseMessage Success(string id, string from, string to) =>
        new(id, from, to, ResponseStatus.Success, RawValue.FromObject(new { ok = true }, BroEncoding.Json), null, null);

    /// <summary>Has <paramref name="from"/> send <paramref name="message"/>, as its read loop would.</summary>
    private static void Send(CallRouter router, TestEndpoint from, BroMessage message)
    {
        var payload = from.Codec.Encode(message);
        var frame = Frames.Frame(payload);
        var header = from.Codec.ReadHeader(payload);
        var flushes = new FlushList();
        switch (header.Type)
        {
            case MessageType.Call:
                router.RouteCall(from, header, frame, flushes);
                break;
            case MessageType.Response:
                router.RouteResponse(from, header, frame, flushes);
                break;
            default:
                router.RouteCancel(from, header, flushes);
                break;
        }

        _ = flushes.FlushAll();
    }

    [Theory]
    [InlineData(BroEncoding.Json)]
    [InlineData(BroEncoding.MessagePack)]
    public void CallRouter_forwards_a_callers_CANCEL_to_a_target_that_announced_it_and_answers_nobody(BroEncoding targetEncoding)
    {
        var router = Router();
        var order = Service(router, "order");
        var user = Service(router, "user", cancel: true, targetEncoding);
        Send(router, order, Call("req-1", "order", "user"));
        user.TakeSingle<CallMessage>();
        var flushes = user.FlushCount;

        Send(router, order, new CancelMessage("req-1", "order", "user"));

        Assert.Equal(new CancelMessage("req-1", "order", "user", CancelReasons.Cancelled), user.TakeSingle<CancelMessage>());
        Assert.Equal(flushes + 1, user.FlushCount);
        Assert.Empty(order.Frames);
        Assert.Equal(0, router.Stats().PendingCalls);
        Assert.Empty(router.Stats().ErrorsByCode);
    }

    [Fact]
    public void CallRouter_drops_the_late_RESPONSE_to_a_cancelled_call_quietly()
    {
        var router = Router();
        var order = Service(router, "order");
        var user = Service(router, "user", cancel: true);
        Send(router, order, Call("req-1", "order", "user"));
        Send(router, order, new CancelMessage("req-1", "order", "user"));
        user.Take();

        Send(router, user, Success("req-1", "user", "order"));

        Assert.Empty(order.Frames);
        Assert.Empty(user.Frames);
        var stats = router.Stats();
        Assert.Equal((0, 0, 1), (stats.PendingCalls, stats.ResponsesRouted, stats.ResponsesDropped));
    }

    [Fact]
    public void CallRouter_never_sends_CANCEL_to_a_target_that_did_not_announce_it()
    {
        var router = Router();
        var order = Service(router, "order");
        var node = Service(router, "node-service");
        Send(router, order, Call("req-1", "order", "node-service", deadline: _clock.NowMs + 100));
        Send(router, order, Call("req-2", "order", "node-service"));
        Send(router, order, Call("req-3", "order", "node-service"));
        Assert.Equal(3, node.Take().Count);

        Send(router, order, new CancelMessage("req-1", "order", "node-service"));
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        router.Sweep();
        router.ConnectionLost(order);

        Assert.Empty(node.Frames);
        // Its late answers are dropped all the same.
        Send(router, node, Success("req-1", "node-service", "order"));
        Send(router, node, Success("req-2", "node-service", "order"));
        Assert.Empty(order.Frames);
        Assert.Equal(2, router.Stats().ResponsesDropped);
    }

    [Fact]
    public void CallRouter_tells_a_target_that_announced_it_when_the_callers_connection_is_lost()
    {
        var router = Router();
        var order = Service(router, "order");
        var user = Service(router, "user", cancel: true);
        Send(router, order, Call("req-1", "order", "user"));
        Send(router, order, Call("req-2", "order", "user"));
        user.Take();

        router.ConnectionLost(order);

        var cancels = user.Take().Cast<CancelMessage>().OrderBy(c => c.Id).ToList();
        Assert.Equal(
            [new CancelMessage("req-1", "order", "user", CancelReasons.CallerLost), new CancelMessage("req-2", "order", "user", CancelReasons.CallerLost)],
            cancels);
        Assert.Equal(0, router.Stats().PendingCalls);
    }

    [Fact]
    public void CallRouter_tells_a_target_that_announced_it_when_the_deadline_passes_and_answers_the_caller_once()
    {
        var router = Router();
        var order = Service(router, "order");
        var user = Service(router, "user", cancel: true);
        Send(router, order, Call("req-1", "order", "user", deadline: _clock.NowMs + 100));
        user.Take();

        _clock.Advance(TimeSpan.FromMilliseconds(100));
        router.Sweep();

        Assert.Equal(new CancelMessage("req-1", "order", "user", CancelReasons.DeadlineExceeded), user.TakeSingle<CancelMessage>());
        Assert.True(user.FlushCount > 0);
        Assert.Equal(ErrorCodes.DeadlineExceeded, order.TakeSingle<ResponseMessage>().Error?.Code);

        // The caller's CANCEL that crossed the deadline finds nothing: no second CANCEL, no second answer.
        Send(router, order, new CancelMessage("req-1", "order", "user"));
        Assert.Empty(user.Frames);
        Assert.Empty(order.Frames);
    }

    [Fact]
    public void CallRouter_drops_a_CANCEL_that_crossed_the_RESPONSE_and_the_caller_keeps_its_answer()
    {
        var router = Router();
        var order = Service(router, "order");
        var user = Service(router, "user", cancel: true);
        Send(router, order, Call("req-1", "order", "user"));
        user.Take();

        Send(router, user, Success("req-1", "user", "order"));
        Send(router, order, new CancelMessage("req-1", "order", "user"));

        Assert.Equal(ResponseStatus.Success, order.TakeSingle<ResponseMessage>().Status);
        Assert.Empty(user.Frames);
        Assert.Equal((1, 0), (router.Stats().ResponsesRouted, router.Stats().ResponsesDropped));
    }

    [Fact]
    public void CallRouter_cancels_only_the_callers_own_call_when_two_callers_use_one_id()
    {
        var router = Router();
        var order = Service(router, "order");
        var cart = Service(router, "cart");
        var user = Service(router, "user", cancel: true);
        Send(router, order, Call("x", "order", "user"));
        Send(router, cart, Call("x", "cart", "user"));
        var rewritten = user.Take().Cast<CallMessage>().Last().Id;
        Assert.StartsWith("x~", rewritten);

        Send(router, cart, new CancelMessage("x", "cart", "user"));

        // The target hears of the call under the id it was given; the other call goes on.
        Assert.Equal(rewritten, user.TakeSingle<CancelMessage>().Id);
        Send(router, user, Success("x", "user", "order"));
        Assert.Equal("x", order.TakeSingle<ResponseMessage>().Id);
        Assert.Empty(cart.Frames);
    }

    [Fact]
    public void CallRouter_drops_a_cancelled_call_that_waits_for_its_target_to_register()
    {
        var router = Router(GatewaySettings.Default with { RegistrationGrace = TimeSpan.FromSeconds(1) });
        var order = Service(router, "order");
        Send(router, order, Call("req-1", "order", "late-service"));

        Send(router, order, new CancelMessage("req-1", "order", "late-service"));
        var late = Service(router, "late-service", cancel: true);

        Assert.Empty(late.Frames);
        Assert.Empty(order.Frames);
        _clock.Advance(TimeSpan.FromSeconds(2));
        router.Sweep();
        Assert.Empty(order.Frames);
    }
}
