using System.Text;
using Akka.TestKit;
using Bro.Configuration;
using Bro.Events;
using Bro.Protocol;
using Bro.Routing;
using Xunit;
using Xunit.Abstractions;
using Bro.Actors.Tests.Support;

namespace Bro.Actors.Tests.Routing;

/// <summary>
/// The data plane on its own: a <see cref="CallRouter"/> routing frames between in-memory
/// endpoints over a <see cref="RouteTable"/> the spec fills itself, on a clock that moves only
/// when told. Every route method runs on the test's thread, as it would on a connection's.
/// </summary>
public sealed class CallRouterSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);

    // A MessagePack extension value (fixext 1): JSON has no way to say it.
    private static readonly RawValue Extension = new(BroEncoding.MessagePack, new byte[] { 0xD4, 0x01, 0x00 });

    private readonly ManualClock _clock = new();
    private readonly RouteTable _routes = new();

    public CallRouterSpec(ITestOutputHelper output) : base(output: output) { }

    // Unknown targets are answered at once, but in the tests of the registration grace.
    private static readonly GatewaySettings NoGrace = GatewaySettings.Default with { RegistrationGrace = TimeSpan.Zero };

    private CallRouter Router(GatewaySettings? settings = null, bool events = false) =>
        new(settings ?? NoGrace, _routes, _clock, Sys.Log, events ? Sys.EventStream : null);

    /// <summary>A registered connection of <paramref name="name"/>, attached to the router and routed to.</summary>
    private TestEndpoint Service(CallRouter router, string name, BroEncoding encoding = BroEncoding.Json) =>
        Pool(router, name, 1, encoding)[0];

    private TestEndpoint[] Pool(CallRouter router, string name, int size, BroEncoding encoding = BroEncoding.Json)
    {
        var pool = Enumerable.Range(0, size).Select(_ => TestEndpoint.Registered(name, encoding)).ToArray();
        foreach (var endpoint in pool)
            router.Attach(endpoint);
        _routes.Set(name, pool);
        return pool;
    }

    private CallMessage Call(string id, string from, string to, int depth = 1, long? deadline = null, RawValue? parameters = null) =>
        new(id, from, to, "get", parameters ?? RawValue.FromObject(new { n = 42 }, BroEncoding.Json),
            new CallContext("root-1", [from, to], depth, deadline ?? _clock.NowMs + 5_000));

    private static ResponseMessage Success(string id, string from, string to, object? data = null) =>
        new(id, from, to, ResponseStatus.Success, RawValue.FromObject(data ?? new { ok = true }, BroEncoding.Json), null, null);

    /// <summary>
    /// Has <paramref name="from"/> send <paramref name="message"/> in its own encoding, as its read
    /// loop would: header read, whole frame routed, then the batch flushed. Returns the frame.
    /// </summary>
    private static byte[] Send(CallRouter router, TestEndpoint from, BroMessage message) =>
        SendPayload(router, from, from.Codec.Encode(message));

    private static byte[] SendPayload(CallRouter router, TestEndpoint from, byte[] payload, Func<FrameHeader, FrameHeader>? header = null)
    {
        var frame = Frames.Frame(payload);
        var read = from.Codec.ReadHeader(payload);
        return Route(router, from, header?.Invoke(read) ?? read, frame);
    }

    /// <summary>Routes <paramref name="frame"/> under a header the test may have altered (the codecs never yield some headers).</summary>
    private static byte[] Route(CallRouter router, TestEndpoint from, FrameHeader header, byte[] frame)
    {
        var flushes = new FlushList();
        if (header.Type == MessageType.Call)
            router.RouteCall(from, header, frame, flushes);
        else
            router.RouteResponse(from, header, frame, flushes);
        _ = flushes.FlushAll();
        return frame;
    }

    private static ResponseMessage ExpectErrorResponse(TestEndpoint caller, string code)
    {
        var response = caller.TakeSingle<ResponseMessage>();
        Assert.Equal(ResponseStatus.Error, response.Status);
        Assert.Equal(code, response.Error?.Code);
        Assert.Null(response.Context);
        return response;
    }

    [Fact]
    public void CallRouter_routes_a_CALL_to_the_target_with_the_original_frame_bytes_and_flushes_it_once()
    {
        var router = Router();
        var cart = Service(router, "cart", BroEncoding.MessagePack);
        var order = Service(router, "order", BroEncoding.MessagePack);

        var frame = Send(router, cart, Call("req-1", "cart", "order"));

        Assert.Equal(frame, Assert.Single(order.TakeFrames()));
        Assert.Equal(1, order.FlushCount);
        Assert.Empty(cart.Frames);
        Assert.Equal(1, router.Stats().PendingCalls);
    }

    [Fact]
    public void CallRouter_refuses_a_CALL_whose_from_is_not_the_name_its_connection_registered_and_delivers_nothing()
    {
        var router = Router();
        var cart = Service(router, "cart");
        var order = Service(router, "order");

        Send(router, cart, Call("req-1", "admin-service", "order"));

        var refused = ExpectErrorResponse(cart, ErrorCodes.InvalidMessage);
        Assert.Equal(("req-1", "order", "admin-service"), (refused.Id, refused.From, refused.To));
        Assert.Contains("registered as 'cart'", refused.Error!.Message);
        Assert.Empty(order.Frames);
        Assert.Equal(0, router.Stats().PendingCalls);
    }

    [Fact]
    public void CallRouter_spreads_calls_round_robin_over_a_pool_of_three()
    {
        var router = Router();
        var cart = Service(router, "cart");
        var pool = Pool(router, "order", 3);

        for (var i = 0; i < 6; i++)
            Send(router, cart, Call($"req-{i}", "cart", "order"));

        for (var p = 0; p < 3; p++)
            Assert.Equal([$"req-{p}", $"req-{p + 3}"], pool[p].Take().Select(m => ((CallMessage)m).Id));
        Assert.Empty(cart.Frames);
    }

    [Fact]
    public void CallRouter_keeps_the_round_robin_position_when_the_pool_changes()
    {
        var router = Router();
        var cart = Service(router, "cart");
        var pool = Pool(router, "order", 2);
        Send(router, cart, Call("req-1", "cart", "order"));
        Assert.Single(pool[0].Take());

        var third = TestEndpoint.Registered("order");
        router.Attach(third);
        _routes.Set("order", [pool[0], pool[1], third]);
        Send(router, cart, Call("req-2", "cart", "order"));
        Send(router, cart, Call("req-3", "cart", "order"));

        Assert.Equal("req-2", pool[1].TakeSingle<CallMessage>().Id);
        Assert.Equal("req-3", third.TakeSingle<CallMessage>().Id);
        Assert.Empty(pool[0].Frames);
    }

    [Fact]
    public void CallRouter_routes_a_RESPONSE_to_the_exact_caller_connection_even_with_a_wrong_to()
    {
        var router = Router();
        var cart = Service(router, "cart");
        var other = Service(router, "other");
        var order = Service(router, "order");
        Send(router, cart, Call("req-1", "cart", "order"));
        order.Take();

        var frame = Send(router, order, Success("req-1", "order", "other"));

        Assert.Equal(frame, Assert.Single(cart.TakeFrames()));
        Assert.Equal(1, cart.FlushCount);
        Assert.Empty(other.Frames);
        var stats = router.Stats();
        Assert.Equal((1, 0, 0), (stats.ResponsesRouted, stats.ResponsesDropped, stats.PendingCalls));
    }

    [Fact]
    public void CallRouter_drops_and_counts_a_RESPONSE_that_answers_no_call_in_flight()
    {
        var router = Router();
        var cart = Service(router, "cart");
        var order = Service(router, "order");

        Send(router, order, Success("req-unknown", "order", "cart"));
        Send(router, order, new ResponseMessage("req-unknown-2", "order", "ghost", ResponseStatus.Success, null, null, null));

        Assert.Empty(cart.Frames);
        Assert.Empty(order.Frames);
        var stats = router.Stats();
        Assert.Equal((0, 2), (stats.ResponsesRouted, stats.ResponsesDropped));
    }

    [Fact]
    public void CallRouter_answers_unknown_target_with_SERVICE_NOT_FOUND()
    {
        var router = Router();
        var cart = Service(router, "cart");

        Send(router, cart, Call("req-7", "cart", "ghost-service"));

        var response = ExpectErrorResponse(cart, ErrorCodes.ServiceNotFound);
        Assert.Equal(("req-7", "ghost-service", "cart"), (response.Id, response.From, response.To));
        Assert.Equal("Target service 'ghost-service' not found", response.Error!.Message);
        Assert.Equal(1, cart.FlushCount);
        Assert.Equal(0, router.Stats().PendingCalls);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    public void CallRouter_answers_a_deadline_already_reached_with_DEADLINE_EXCEEDED_without_forwarding(long offsetMs)
    {
        var router = Router();
        var cart = Service(router, "cart");
        var order = Service(router, "order");

        Send(router, cart, Call("req-late", "cart", "order", deadline: _clock.NowMs + offsetMs));

        var response = ExpectErrorResponse(cart, ErrorCodes.DeadlineExceeded);
        Assert.Equal(("req-late", "order", "cart"), (response.Id, response.From, response.To));
        Assert.Empty(order.Frames);
    }

    [Fact]
    public void CallRouter_answers_depth_over_max_with_MAX_DEPTH_EXCEEDED_and_routes_depth_at_max()
    {
        var router = Router();
        var cart = Service(router, "cart");
        var order = Service(router, "order");

        Send(router, cart, Call("req-deep", "cart", "order", depth: 101));
        Assert.Equal("req-deep", ExpectErrorResponse(cart, ErrorCodes.MaxDepthExceeded).Id);
        Assert.Empty(order.Frames);

        Send(router, cart, Call("req-max", "cart", "order", depth: 100));
        Assert.Equal("req-max", order.TakeSingle<CallMessage>().Id);
        Assert.Empty(cart.Frames);
    }

    [Fact]
    public void CallRouter_answers_a_CALL_without_an_id_with_ERROR_INVALID_MESSAGE()
    {
        var router = Router();
        var cart = Service(router, "cart");
        Service(router, "order");

        // The codecs refuse such a frame before the router sees it; the router does not rely on it.
        SendPayload(router, cart, cart.Codec.Encode(Call("req-1", "cart", "order")), header => header with { Id = null });

        var error = cart.TakeSingle<ErrorMessage>();
        Assert.Equal((null, ErrorCodes.InvalidMessage), (error.Id, error.Error.Code));
        Assert.Equal(1, router.Stats().Errors(ErrorCodes.InvalidMessage));
    }

    [Fact]
    public void CallRouter_answers_callers_of_calls_in_flight_to_a_lost_connection_with_CONNECTION_LOST()
    {
        var router = Router();
        var cart = Service(router, "cart");
        var user = Service(router, "user");
        var order = Service(router, "order");
        Send(router, cart, Call("req-1", "cart", "order"));
        Send(router, user, Call("req-1", "user", "order"));
        Assert.Equal(2, order.Take().Count);
        var flushed = cart.FlushCount;

        router.ConnectionLost(order);

        foreach (var (caller, name) in new[] { (cart, "cart"), (user, "user") })
        {
            var response = ExpectErrorResponse(caller, ErrorCodes.ConnectionLost);
            Assert.Equal(("req-1", "order", name), (response.Id, response.From, response.To));
        }

        Assert.Equal(flushed + 1, cart.FlushCount);
        var stats = router.Stats();
        Assert.Equal((0, 2), (stats.PendingCalls, stats.Errors(ErrorCodes.ConnectionLost)));
        Assert.Empty(order.Frames);

        // Idempotent: the second loss answers nothing more.
        router.ConnectionLost(order);
        Assert.Empty(cart.Frames);
    }

    [Fact]
    public void CallRouter_skips_a_lost_connection_still_in_the_pool_and_answers_CONNECTION_LOST_when_none_is_left()
    {
        var router = Router();
        var cart = Service(router, "cart");
        var pool = Pool(router, "order", 2);
        router.ConnectionLost(pool[0]); // the registry has not taken it out of the route yet

        Send(router, cart, Call("req-1", "cart", "order"));
        Send(router, cart, Call("req-2", "cart", "order"));
        Assert.Equal(["req-1", "req-2"], pool[1].Take().Select(m => ((CallMessage)m).Id));
        Assert.Empty(pool[0].Frames);

        router.ConnectionLost(pool[1]);
        Assert.Equal(["req-1", "req-2"], cart.Take().Select(m => ((ResponseMessage)m).Id));
        Send(router, cart, Call("req-3", "cart", "order"));
        Assert.Equal("req-3", ExpectErrorResponse(cart, ErrorCodes.ConnectionLost).Id);
    }

    [Fact]
    public void CallRouter_drops_the_calls_of_a_lost_caller_and_the_late_RESPONSE_to_them()
    {
        var router = Router();
        var cart = Service(router, "cart");
        var order = Service(router, "order");
        Send(router, cart, Call("req-1", "cart", "order"));
        Send(router, cart, Call("req-2", "cart", "order"));
        order.Take();

        router.ConnectionLost(cart);
        Send(router, order, Success("req-1", "order", "cart"));

        Assert.Empty(cart.Frames);
        Assert.Empty(order.Frames);
        var stats = router.Stats();
        Assert.Equal((0, 0, 1), (stats.PendingCalls, stats.ResponsesRouted, stats.ResponsesDropped));
        Assert.Equal(0, stats.Errors(ErrorCodes.ConnectionLost));

        // A lost caller's connection makes no new call either, and is not answered.
        Send(router, cart, Call("req-3", "cart", "order"));
        Assert.Empty(order.Frames);
        Assert.Empty(cart.Frames);
    }

    // The chaos run's finding: a late answer to an abandoned call answered a newer call that
    // reused its id, from another caller, which then got someone else's data.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CallRouter_never_lets_a_late_RESPONSE_to_an_abandoned_call_answer_a_newer_call_with_its_id(bool deadlinePassed)
    {
        var router = Router();
        var cart = Service(router, "cart");
        var user = Service(router, "user");
        var order = Service(router, "order");
        Send(router, user, Call("x", "user", "order", deadline: _clock.NowMs + 100));
        Assert.Equal("x", order.TakeSingle<CallMessage>().Id);
        if (deadlinePassed)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            router.Sweep();
            Assert.Equal(ErrorCodes.DeadlineExceeded, user.TakeSingle<ResponseMessage>().Error?.Code);
        }
        else
        {
            router.ConnectionLost(user);
        }

        Send(router, cart, Call("x", "cart", "order"));
        var second = order.TakeSingle<CallMessage>();
        Assert.StartsWith("x~", second.Id);

        // The late answer to the first call is dropped; the second call gets its own.
        Send(router, order, Success("x", "order", "user", new { answer = "to-user" }));
        Assert.Empty(cart.Frames);
        Send(router, order, Success(second.Id, "order", "cart", new { answer = "to-cart" }));
        var toCart = cart.TakeSingle<ResponseMessage>();
        Assert.Equal(("x", """{"answer":"to-cart"}"""), (toCart.Id, toCart.Data!.ToJsonString()));

        // Once the late answer came, the id is given as it is again.
        Send(router, cart, Call("x", "cart", "order"));
        Assert.Equal("x", order.TakeSingle<CallMessage>().Id);
    }

    [Fact]
    public void CallRouter_sweep_answers_expired_calls_with_DEADLINE_EXCEEDED_and_forgets_them()
    {
        var router = Router();
        var cart = Service(router, "cart");
        var order = Service(router, "order");
        Send(router, cart, Call("req-short", "cart", "order", deadline: _clock.NowMs + 500));
        Send(router, cart, Call("req-long", "cart", "order", deadline: _clock.NowMs + 20_000));
        order.Take();

        router.Sweep();
        Assert.Empty(cart.Frames);

        _clock.Advance(TimeSpan.FromSeconds(1));
        router.Sweep();
        var response = ExpectErrorResponse(cart, ErrorCodes.DeadlineExceeded);
        Assert.Equal(("req-short", "order", "cart"), (response.Id, response.From, response.To));
        Assert.Equal(1, router.Stats().PendingCalls);
        Assert.Equal(1, cart.FlushCount);

        // The late answer finds no call any more.
        Send(router, order, Success("req-short", "order", "cart"));
        Assert.Empty(cart.Frames);
        Assert.Equal(1, router.Stats().ResponsesDropped);

        _clock.Advance(TimeSpan.FromSeconds(19));
        router.Sweep();
        Assert.Equal("req-long", ExpectErrorResponse(cart, ErrorCodes.DeadlineExceeded).Id);
        Assert.Equal(0, router.Stats().PendingCalls);
        Assert.Equal(2, router.Stats().Errors(ErrorCodes.DeadlineExceeded));
    }

    [Theory]
    [InlineData(BroEncoding.Json, BroEncoding.MessagePack)]
    [InlineData(BroEncoding.MessagePack, BroEncoding.Json)]
    public void CallRouter_transcodes_a_CALL_and_its_RESPONSE_between_encodings(BroEncoding callerEncoding, BroEncoding targetEncoding)
    {
        var router = Router();
        var cart = Service(router, "cart", callerEncoding);
        var order = Service(router, "order", targetEncoding);
        var call = Call("req-1", "cart", "order", depth: 2,
            parameters: RawValue.FromObject(new { text = "héllo", n = 42, big = 1795618669149L, f = 1.5 }, callerEncoding));

        Send(router, cart, call);

        var frame = Assert.Single(order.Frames);
        Assert.Equal(targetEncoding, Bro.Codecs.EncodingDetector.Detect(frame.AsSpan(Frames.PrefixLength)));
        var received = order.TakeSingle<CallMessage>();
        Assert.Equal((call.Id, call.From, call.To, call.Method), (received.Id, received.From, received.To, received.Method));
        Assert.Equal((call.Context.Root, call.Context.Depth, call.Context.Deadline), (received.Context.Root, received.Context.Depth, received.Context.Deadline));
        Assert.Equal(call.Context.Chain, received.Context.Chain);
        Assert.Equal(targetEncoding, received.Params!.Encoding);
        Assert.Equal(call.Params!.ToJsonString(), received.Params.ToJsonString());

        Send(router, order, Messages.BuildSuccessResponse(received, data: RawValue.FromObject(new { ok = true }, targetEncoding)));

        var response = cart.TakeSingle<ResponseMessage>();
        Assert.Equal((call.Id, ResponseStatus.Success, callerEncoding), (response.Id, response.Status, response.Data!.Encoding));
        Assert.Equal("""{"ok":true}""", response.Data.ToJsonString());
        Assert.Equal(call.Context.Root, response.Context?.Root);
    }

    [Fact]
    public void CallRouter_answers_a_CALL_the_target_encoding_cannot_express_with_SERIALIZATION_FAILED()
    {
        var router = Router();
        var cart = Service(router, "cart", BroEncoding.MessagePack);
        var order = Service(router, "order", BroEncoding.Json);

        Send(router, cart, Call("req-1", "cart", "order", parameters: Extension));

        var response = ExpectErrorResponse(cart, ErrorCodes.SerializationFailed);
        Assert.Equal(("req-1", "order", "cart"), (response.Id, response.From, response.To));
        Assert.Empty(order.Frames);
        var stats = router.Stats();
        Assert.Equal((0, 0), (stats.CallsRouted, stats.PendingCalls));

        // The id is free again: the caller may retry it.
        Send(router, cart, Call("req-1", "cart", "order"));
        Assert.Equal("req-1", order.TakeSingle<CallMessage>().Id);
    }

    [Fact]
    public void CallRouter_answers_a_RESPONSE_the_caller_encoding_cannot_express_with_SERIALIZATION_FAILED()
    {
        var router = Router();
        var cart = Service(router, "cart", BroEncoding.Json);
        var order = Service(router, "order", BroEncoding.MessagePack);
        Send(router, cart, Call("req-1", "cart", "order"));
        var received = order.TakeSingle<CallMessage>();

        Send(router, order, Messages.BuildSuccessResponse(received, data: Extension));

        var response = ExpectErrorResponse(cart, ErrorCodes.SerializationFailed);
        Assert.Equal(("req-1", "order", "cart"), (response.Id, response.From, response.To));
        Assert.Equal(0, router.Stats().PendingCalls);
    }

    [Fact]
    public void CallRouter_counts_routed_calls_responses_drops_and_errors_by_code_over_open_and_lost_connections()
    {
        var router = Router();
        var cart = Service(router, "cart");
        var order = Service(router, "order");

        Send(router, cart, Call("req-1", "cart", "order"));
        Send(router, cart, Call("req-2", "cart", "order"));
        Send(router, order, Success("req-1", "order", "cart"));
        Send(router, order, Success("req-1", "order", "cart")); // answered already: dropped
        Send(router, cart, Call("req-3", "cart", "ghost"));
        Send(router, cart, Call("req-4", "cart", "ghost"));
        Send(router, cart, Call("req-5", "cart", "order", depth: 500));

        var stats = router.Stats();
        Assert.Equal((2, 1, 1, 1), (stats.CallsRouted, stats.ResponsesRouted, stats.ResponsesDropped, stats.PendingCalls));
        Assert.Equal(2, stats.Errors(ErrorCodes.ServiceNotFound));
        Assert.Equal(1, stats.Errors(ErrorCodes.MaxDepthExceeded));
        Assert.Equal(0, stats.Errors(ErrorCodes.DeadlineExceeded));

        // The counters of a connection that is gone stay in the totals.
        router.ConnectionLost(order);
        router.ConnectionLost(cart);
        stats = router.Stats();
        Assert.Equal((2, 1, 1, 0), (stats.CallsRouted, stats.ResponsesRouted, stats.ResponsesDropped, stats.PendingCalls));
        Assert.Equal(1, stats.Errors(ErrorCodes.ConnectionLost));
    }

    [Fact]
    public void CallRouter_publishes_routing_events_only_when_given_an_event_stream()
    {
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(GatewayEvent));

        var quiet = Router(events: false);
        var quietCart = Service(quiet, "cart");
        Service(quiet, "order");
        Send(quiet, quietCart, Call("req-0", "cart", "order"));
        Send(quiet, quietCart, Call("req-00", "cart", "ghost"));
        events.ExpectNoMsg(Quiet);

        var router = Router(events: true);
        var cart = Service(router, "cart");
        var order = Service(router, "order");
        var deadline = _clock.NowMs + 5_000;
        Send(router, cart, Call("req-1", "cart", "order", depth: 2, deadline: deadline));
        var routed = events.ExpectMsg<CallRouted>();
        Assert.Equal(("cart", "order", "get", "req-1", 2, deadline),
            (routed.From, routed.To, routed.Method, routed.RequestId, routed.Depth.GetValueOrDefault(), routed.Deadline.GetValueOrDefault()));
        Assert.Equal("root-1", routed.Root);
        Assert.Equal(["cart", "order"], routed.Chain!);

        Send(router, order, Success("req-1", "order", "cart"));
        var responded = events.ExpectMsg<ResponseRouted>();
        Assert.Equal(("req-1", "order", "cart", ResponseStatus.Success), (responded.RequestId, responded.From, responded.To, responded.Status));

        Send(router, cart, Call("req-3", "cart", "order"));
        events.ExpectMsg<CallRouted>();
        Send(router, order, new ResponseMessage("req-3", "order", "cart", ResponseStatus.Error, null, new ErrorInfo("no", "USER_NOT_FOUND"), null));
        var failed = events.ExpectMsg<ResponseRouted>();
        Assert.Equal((ResponseStatus.Error, "USER_NOT_FOUND"), (failed.Status, failed.ErrorCode));

        Send(router, cart, Call("req-2", "cart", "ghost"));
        var error = events.ExpectMsg<GatewayErrorOccurred>();
        Assert.Equal((ErrorCodes.ServiceNotFound, "req-2"), (error.Code, error.RequestId));
        events.ExpectNoMsg(Quiet);
    }

    // ---- monitoring ----

    [Fact]
    public void CallRouter_records_nothing_while_nobody_watches()
    {
        var router = Router();
        var cart = Service(router, "cart");
        var order = Service(router, "order");

        Send(router, cart, Call("req-1", "cart", "order"));
        Send(router, order, Success("req-1", "order", "cart"));
        Send(router, cart, Call("req-2", "cart", "ghost"));

        Assert.False(router.Monitor.IsWatched);
        Assert.Equal(0, router.Monitor.Head);
    }

    [Fact]
    public void CallRouter_records_every_call_response_and_own_answer_while_watched()
    {
        var router = Router();
        var cart = Service(router, "cart");
        var order = Service(router, "order");
        router.Monitor.SetWatched(true);

        Send(router, cart, Call("req-1", "cart", "order", depth: 2));
        Send(router, order, new ResponseMessage("req-1", "order", "cart", ResponseStatus.Error, null, new ErrorInfo("no", "USER_NOT_FOUND"), null));
        Send(router, cart, Call("req-2", "cart", "ghost"));

        var records = router.Monitor.Read(0, null).Records;
        Assert.Equal(3, records.Count);
        Assert.Equal(("CALL", "req-1", "cart", "order", "get", "root-1", 2),
            (records[0].Type, records[0].Id, records[0].From, records[0].To, records[0].Method, records[0].Root, records[0].Depth.GetValueOrDefault()));
        Assert.Equal(("RESPONSE", "order", "cart", "get", "error", "USER_NOT_FOUND", false),
            (records[1].Type, records[1].From, records[1].To, records[1].Method, records[1].Status, records[1].Code, records[1].ByGateway));
        Assert.NotNull(records[1].LatencyMs);
        Assert.Equal(("RESPONSE", "req-2", "ghost", "cart", ErrorCodes.ServiceNotFound, true),
            (records[2].Type, records[2].Id, records[2].From, records[2].To, records[2].Code, records[2].ByGateway));
    }

    // ---- calls owned per connection ----

    [Fact]
    public void CallRouter_gives_each_of_two_callers_using_the_same_id_its_own_response()
    {
        var router = Router();
        var cart = Service(router, "cart");
        var user = Service(router, "user");
        var order = Service(router, "order");

        Send(router, cart, Call("req-1", "cart", "order", parameters: RawValue.FromObject(new { who = "cart" }, BroEncoding.Json)));
        Send(router, user, Call("req-1", "user", "order", parameters: RawValue.FromObject(new { who = "user" }, BroEncoding.Json)));

        var received = order.Take().Cast<CallMessage>().ToArray();
        Assert.Equal(2, received.Length);
        Assert.Equal(2, received.Select(c => c.Id).Distinct().Count());
        Assert.Equal("req-1", received[0].Id);
        Assert.Equal("""{"who":"cart"}""", received[0].Params!.ToJsonString());
        Assert.StartsWith("req-1~", received[1].Id);
        Assert.Equal("""{"who":"user"}""", received[1].Params!.ToJsonString());

        // Answered in the reverse order, each with the id the target was given.
        Send(router, order, Success(received[1].Id, "order", "user", new { answer = "to-user" }));
        Send(router, order, Success(received[0].Id, "order", "cart", new { answer = "to-cart" }));

        var toUser = user.TakeSingle<ResponseMessage>();
        Assert.Equal(("req-1", """{"answer":"to-user"}"""), (toUser.Id, toUser.Data!.ToJsonString()));
        var toCart = cart.TakeSingle<ResponseMessage>();
        Assert.Equal(("req-1", """{"answer":"to-cart"}"""), (toCart.Id, toCart.Data!.ToJsonString()));
        var stats = router.Stats();
        Assert.Equal((2, 2, 0, 0), (stats.CallsRouted, stats.ResponsesRouted, stats.ResponsesDropped, stats.PendingCalls));
    }

    [Fact]
    public void CallRouter_drops_a_RESPONSE_from_a_connection_the_CALL_was_not_delivered_to()
    {
        var router = Router();
        var cart = Service(router, "cart");
        var pool = Pool(router, "order", 2);
        var impostor = Service(router, "impostor");
        Send(router, cart, Call("req-1", "cart", "order"));
        Assert.Single(pool[0].Take());

        Send(router, pool[1], Success("req-1", "order", "cart", new { from = "the other pool member" }));
        Send(router, impostor, Success("req-1", "order", "cart", new { from = "impostor" }));

        Assert.Empty(cart.Frames);
        var stats = router.Stats();
        Assert.Equal((2, 0, 1), (stats.ResponsesDropped, stats.ResponsesRouted, stats.PendingCalls));

        Send(router, pool[0], Success("req-1", "order", "cart", new { from = "the target" }));

        var response = cart.TakeSingle<ResponseMessage>();
        Assert.Equal(("req-1", """{"from":"the target"}"""), (response.Id, response.Data!.ToJsonString()));
        Assert.Equal(0, router.Stats().PendingCalls);
    }

    [Fact]
    public void CallRouter_clamps_a_far_future_deadline_to_the_request_timeout()
    {
        var router = Router();
        var cart = Service(router, "cart");
        var order = Service(router, "order");
        var timeout = GatewaySettings.Default.RequestTimeout;
        var tenYears = (long)TimeSpan.FromDays(3653).TotalMilliseconds;

        Send(router, cart, Call("req-1", "cart", "order", deadline: _clock.NowMs + tenYears));
        // The target still sees the deadline the caller wrote.
        Assert.Equal(_clock.NowMs + tenYears, order.TakeSingle<CallMessage>().Context.Deadline);

        _clock.Advance(timeout - TimeSpan.FromMilliseconds(1));
        router.Sweep();
        Assert.Empty(cart.Frames);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        router.Sweep();
        Assert.Equal("req-1", ExpectErrorResponse(cart, ErrorCodes.DeadlineExceeded).Id);
        Assert.Equal(0, router.Stats().PendingCalls);
    }

    [Theory]
    [InlineData(BroEncoding.Json, BroEncoding.Json, """{"type":"CALL","id":"req-1","from":"cart","to":"order","method":"get","params":{"n":1},"context":{"root":"root-1","chain":["cart"],"depth":1}}""")]
    [InlineData(BroEncoding.MessagePack, BroEncoding.Json, """{"type":"CALL","id":"req-1","from":"cart","to":"order","method":"get","params":{"n":1},"context":{"root":"root-1","chain":["cart"],"depth":1}}""")]
    [InlineData(BroEncoding.Json, BroEncoding.MessagePack, """{"type":"CALL","id":"req-1","from":"cart","to":"order","method":"get","params":{"n":1}}""")]
    public void CallRouter_gives_a_CALL_without_a_deadline_the_request_timeout(BroEncoding callerEncoding, BroEncoding targetEncoding, string json)
    {
        var router = Router();
        var cart = Service(router, "cart", callerEncoding);
        var order = Service(router, "order", targetEncoding);
        var timeout = GatewaySettings.Default.RequestTimeout;
        var payload = callerEncoding == BroEncoding.Json
            ? System.Text.Encoding.UTF8.GetBytes(json)
            : MessagePack.MessagePackSerializer.ConvertFromJson(json);

        SendPayload(router, cart, payload);

        // The target is told the deadline the gateway enforces; a missing context starts at the caller.
        var delivered = order.TakeSingle<CallMessage>();
        Assert.Equal(("req-1", _clock.NowMs + (long)timeout.TotalMilliseconds), (delivered.Id, delivered.Context.Deadline));
        Assert.Equal(json.Contains("context"), delivered.Context.Root == "root-1");
        Assert.Equal((1, "cart"), (delivered.Context.Depth, Assert.Single(delivered.Context.Chain)));
        Assert.Equal("""{"n":1}""", delivered.Params!.ToJsonString());

        _clock.Advance(timeout - TimeSpan.FromMilliseconds(1));
        router.Sweep();
        Assert.Empty(cart.Frames);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        router.Sweep();
        var response = ExpectErrorResponse(cart, ErrorCodes.DeadlineExceeded);
        Assert.Equal(("req-1", "order", "cart"), (response.Id, response.From, response.To));
    }

    [Fact]
    public void CallRouter_answers_a_call_over_the_cap_on_calls_in_flight_with_MAX_IN_FLIGHT_EXCEEDED()
    {
        var router = Router(GatewaySettings.Default with { MaxCallsInFlight = 3 });
        var cart = Service(router, "cart");
        var user = Service(router, "user");
        var order = Service(router, "order");
        for (var i = 1; i <= 3; i++)
            Send(router, cart, Call($"req-{i}", "cart", "order"));
        Assert.Equal(3, order.Take().Count);

        Send(router, cart, Call("req-4", "cart", "order"));

        var refused = ExpectErrorResponse(cart, ErrorCodes.MaxInFlightExceeded);
        Assert.Equal(("req-4", "order", "cart"), (refused.Id, refused.From, refused.To));
        Assert.Empty(order.Frames);
        // The cap is per caller connection: another caller is not held back.
        Send(router, user, Call("req-1", "user", "order"));
        Assert.Single(order.Take());

        Send(router, order, Success("req-2", "order", "cart"));
        Assert.Equal("req-2", cart.TakeSingle<ResponseMessage>().Id);
        Send(router, cart, Call("req-5", "cart", "order"));

        Assert.Equal("req-5", order.TakeSingle<CallMessage>().Id);
        Assert.Empty(cart.Frames);
        Assert.Equal(1, router.Stats().Errors(ErrorCodes.MaxInFlightExceeded));
    }

    [Fact]
    public void CallRouter_refuses_a_CALL_reusing_an_id_still_in_flight_and_the_first_call_still_completes()
    {
        var router = Router();
        var cart = Service(router, "cart");
        var order = Service(router, "order");
        Send(router, cart, Call("req-1", "cart", "order", parameters: RawValue.FromObject(new { first = true }, BroEncoding.Json)));
        Assert.Single(order.Take());

        Send(router, cart, Call("req-1", "cart", "order", parameters: RawValue.FromObject(new { first = false }, BroEncoding.Json)));

        var refused = ExpectErrorResponse(cart, ErrorCodes.InvalidMessage);
        Assert.Equal(("req-1", "order", "cart"), (refused.Id, refused.From, refused.To));
        Assert.Empty(order.Frames);

        Send(router, order, Success("req-1", "order", "cart", new { answer = 1 }));
        var response = cart.TakeSingle<ResponseMessage>();
        Assert.Equal(("req-1", ResponseStatus.Success, """{"answer":1}"""), (response.Id, response.Status, response.Data!.ToJsonString()));
        Assert.Equal(0, router.Stats().PendingCalls);
    }
}
