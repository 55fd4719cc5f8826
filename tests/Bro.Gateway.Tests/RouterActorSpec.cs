using System.Collections.Immutable;
using Akka.Actor;
using Akka.IO;
using Akka.TestKit;
using Bro.Codecs;
using Bro.Configuration;
using Bro.Connection;
using Bro.Events;
using Bro.Gateway.Tests.Support;
using Bro.Protocol;
using Bro.Registry;
using Bro.Routing;
using Xunit;
using Xunit.Abstractions;
using static Bro.Routing.RouterActor;

namespace Bro.Gateway.Tests;

public sealed class RouterActorSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);
    private readonly GatewaySettings _settings = GatewaySettings.Default with { PendingSweepInterval = TimeSpan.FromSeconds(1) };

    public RouterActorSpec(ITestOutputHelper output) : base(VirtualTime.Config, output) { }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;
    private long NowMs => Scheduler.Now.ToUnixTimeMilliseconds();

    private IActorRef Router(bool events = false) => Sys.ActorOf(RouterActor.Props(_settings, publishEvents: events));

    private static ServicesChanged Table(params (string Name, TestProbe[] Connections)[] services) =>
        new(new RoutingTable(services.ToImmutableDictionary(
            s => s.Name, s => s.Connections.Select(p => p.Ref).ToImmutableArray(), StringComparer.Ordinal)), []);

    private static void Call(TestProbe caller, IActorRef router, string id, string from, string to, int? depth = 1, long? deadline = null)
    {
        var (header, payload) = TestFrames.Call(id, from, to, depth: depth, deadline: deadline);
        caller.Send(router, new RouteCall(header, payload, BroEncoding.Json));
    }

    private static void Respond(TestProbe responder, IActorRef router, string id, string from, string to)
    {
        var (header, payload) = TestFrames.Response(id, from, to);
        responder.Send(router, new RouteResponse(header, payload, BroEncoding.Json));
    }

    private static ResponseMessage ExpectErrorResponse(TestProbe caller, string code)
    {
        var send = caller.ExpectMsg<ConnectionCommands.Send>();
        var response = Assert.IsType<ResponseMessage>(send.Message);
        Assert.Equal(ResponseStatus.Error, response.Status);
        Assert.Equal(code, response.Error?.Code);
        Assert.Null(response.Context);
        return response;
    }

    private GatewayStats Stats(IActorRef router)
    {
        router.Tell(GetStats.Instance, TestActor);
        return ExpectMsg<GatewayStats>();
    }

    /// <summary>
    /// Waits until <paramref name="actor"/> has processed everything sent to it so far, so that it
    /// reads the virtual clock before the next Advance (timer ticks read the clock when processed).
    /// </summary>
    private void Settle(IActorRef actor)
    {
        actor.Tell(RegistryActor.GetServices.Instance, TestActor);
        ExpectMsg<RegistryActor.ServiceList>();
    }

    [Fact]
    public void RouterActor_routes_a_CALL_to_the_target_with_the_original_payload_bytes()
    {
        var router = Router();
        var cart = CreateTestProbe();
        var order = CreateTestProbe();
        router.Tell(Table(("cart", [cart]), ("order", [order])));

        var (header, payload) = TestFrames.Call("req-1", "cart", "order");
        cart.Send(router, new RouteCall(header, payload, BroEncoding.MessagePack));

        var deliver = order.ExpectMsg<ConnectionCommands.Deliver>();
        Assert.Equal(payload.ToArray(), deliver.Payload.ToArray());
        Assert.Equal(BroEncoding.MessagePack, deliver.Encoding);
        cart.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void RouterActor_spreads_calls_round_robin_over_a_pool_of_three()
    {
        var router = Router();
        var caller = CreateTestProbe();
        TestProbe[] pool = [CreateTestProbe(), CreateTestProbe(), CreateTestProbe()];
        router.Tell(Table(("cart", [caller]), ("order", pool)));

        for (var i = 0; i < 6; i++)
            Call(caller, router, $"req-{i}", "cart", "order");

        for (var i = 0; i < 6; i++)
        {
            var deliver = pool[i % 3].ExpectMsg<ConnectionCommands.Deliver>();
            Assert.Contains($"\"req-{i}\"", deliver.Payload.ToString());
        }
        foreach (var p in pool) p.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void RouterActor_keeps_the_round_robin_position_when_the_table_changes()
    {
        var router = Router();
        var caller = CreateTestProbe();
        TestProbe[] pool = [CreateTestProbe(), CreateTestProbe()];
        router.Tell(Table(("cart", [caller]), ("order", pool)));
        Call(caller, router, "req-1", "cart", "order");
        pool[0].ExpectMsg<ConnectionCommands.Deliver>();

        router.Tell(Table(("cart", [caller]), ("order", pool), ("user", [CreateTestProbe()])));
        Call(caller, router, "req-2", "cart", "order");
        pool[1].ExpectMsg<ConnectionCommands.Deliver>();
    }

    [Fact]
    public void RouterActor_routes_a_RESPONSE_to_the_exact_caller_connection_even_with_a_wrong_to()
    {
        var router = Router();
        var cart = CreateTestProbe();
        var other = CreateTestProbe();
        var order = CreateTestProbe();
        router.Tell(Table(("cart", [cart]), ("other", [other]), ("order", [order])));
        Call(cart, router, "req-1", "cart", "order");
        order.ExpectMsg<ConnectionCommands.Deliver>();

        var (header, payload) = TestFrames.Response("req-1", "order", "other");
        order.Send(router, new RouteResponse(header, payload, BroEncoding.Json));

        var deliver = cart.ExpectMsg<ConnectionCommands.Deliver>();
        Assert.Equal(payload.ToArray(), deliver.Payload.ToArray());
        other.ExpectNoMsg(Quiet);
        Assert.Equal(0, Stats(router).PendingCalls);
    }

    [Fact]
    public void RouterActor_sends_a_RESPONSE_with_an_unknown_id_to_the_to_service_and_drops_it_when_there_is_none()
    {
        var router = Router();
        var cart = CreateTestProbe();
        var order = CreateTestProbe();
        router.Tell(Table(("cart", [cart]), ("order", [order])));

        Respond(order, router, "req-unknown", "order", "cart");
        cart.ExpectMsg<ConnectionCommands.Deliver>();

        Respond(order, router, "req-unknown-2", "order", "ghost");
        cart.ExpectNoMsg(Quiet);
        var stats = Stats(router);
        Assert.Equal(1, stats.ResponsesRouted);
        Assert.Equal(1, stats.ResponsesDropped);
    }

    [Fact]
    public void RouterActor_answers_unknown_target_with_SERVICE_NOT_FOUND()
    {
        var router = Router();
        var cart = CreateTestProbe();
        router.Tell(Table(("cart", [cart])));

        Call(cart, router, "req-7", "cart", "ghost-service");

        var response = ExpectErrorResponse(cart, ErrorCodes.ServiceNotFound);
        Assert.Equal("req-7", response.Id);
        Assert.Equal("ghost-service", response.From);
        Assert.Equal("cart", response.To);
        Assert.Equal("Target service 'ghost-service' not found", response.Error!.Message);
    }

    [Fact]
    public void RouterActor_answers_a_passed_deadline_with_DEADLINE_EXCEEDED_without_forwarding()
    {
        var router = Router();
        var cart = CreateTestProbe();
        var order = CreateTestProbe();
        router.Tell(Table(("cart", [cart]), ("order", [order])));

        Call(cart, router, "req-late", "cart", "order", deadline: NowMs - 1);

        var response = ExpectErrorResponse(cart, ErrorCodes.DeadlineExceeded);
        Assert.Equal("req-late", response.Id);
        Assert.Equal("order", response.From);
        order.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void RouterActor_answers_depth_over_max_with_MAX_DEPTH_EXCEEDED_and_routes_depth_at_max()
    {
        var router = Router();
        var cart = CreateTestProbe();
        var order = CreateTestProbe();
        router.Tell(Table(("cart", [cart]), ("order", [order])));

        Call(cart, router, "req-deep", "cart", "order", depth: 101);
        var response = ExpectErrorResponse(cart, ErrorCodes.MaxDepthExceeded);
        Assert.Equal("req-deep", response.Id);
        order.ExpectNoMsg(Quiet);

        Call(cart, router, "req-max", "cart", "order", depth: 100);
        order.ExpectMsg<ConnectionCommands.Deliver>();
    }

    [Fact]
    public void RouterActor_answers_in_flight_callers_with_CONNECTION_LOST_when_the_target_stops()
    {
        var router = Router();
        var cart = CreateTestProbe();
        var order = CreateTestProbe();
        router.Tell(Table(("cart", [cart]), ("order", [order])));
        Call(cart, router, "req-1", "cart", "order");
        order.ExpectMsg<ConnectionCommands.Deliver>();

        Sys.Stop(order.Ref);

        var response = ExpectErrorResponse(cart, ErrorCodes.ConnectionLost);
        Assert.Equal("req-1", response.Id);
        Assert.Equal("order", response.From);
        Assert.Equal("cart", response.To);
        Assert.Equal(0, Stats(router).PendingCalls);
    }

    [Fact]
    public void RouterActor_answers_in_flight_callers_with_CONNECTION_LOST_when_the_registry_evicts_the_target()
    {
        var settings = _settings with
        {
            HeartbeatInterval = TimeSpan.FromSeconds(1),
            HeartbeatCheckInterval = TimeSpan.FromSeconds(1),
        };
        var router = Sys.ActorOf(RouterActor.Props(settings));
        var registry = Sys.ActorOf(RegistryActor.Props(settings, router));
        var cart = CreateTestProbe();
        var order = CreateTestProbe();
        cart.Send(registry, new RegistryActor.RegisterService(TestFrames.Register("cart"), null));
        cart.ExpectMsg<ConnectionCommands.Send>();
        order.Send(registry, new RegistryActor.RegisterService(TestFrames.Register("order", "get"), null));
        order.ExpectMsg<ConnectionCommands.Send>();

        // The deadline is far beyond the eviction: only the eviction can answer this call.
        Call(cart, router, "req-1", "cart", "order", deadline: NowMs + 60_000);
        order.ExpectMsg<ConnectionCommands.Deliver>();

        for (var i = 0; i < 4; i++)
        {
            cart.Send(registry, RegistryActor.Touch.Instance);
            Settle(registry);
            Scheduler.Advance(TimeSpan.FromSeconds(1));
            Settle(registry);
        }

        var close = order.ExpectMsg<ConnectionCommands.Close>();
        Assert.Equal(ErrorCodes.ConnectionLost, close.Reason?.Code);
        var response = ExpectErrorResponse(cart, ErrorCodes.ConnectionLost);
        Assert.Equal("req-1", response.Id);
    }

    [Fact]
    public void RouterActor_sweeps_expired_calls_answering_DEADLINE_EXCEEDED_and_empties_its_table()
    {
        var router = Router();
        var cart = CreateTestProbe();
        var order = CreateTestProbe();
        router.Tell(Table(("cart", [cart]), ("order", [order])));
        Call(cart, router, "req-short", "cart", "order", deadline: NowMs + 500);
        Call(cart, router, "req-default", "cart", "order", deadline: null); // request-timeout: 30 s
        order.ExpectMsg<ConnectionCommands.Deliver>();
        order.ExpectMsg<ConnectionCommands.Deliver>();
        Assert.Equal(2, Stats(router).PendingCalls);

        Scheduler.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("req-short", ExpectErrorResponse(cart, ErrorCodes.DeadlineExceeded).Id);
        Assert.Equal(1, Stats(router).PendingCalls);

        for (var i = 0; i < 30; i++) Scheduler.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("req-default", ExpectErrorResponse(cart, ErrorCodes.DeadlineExceeded).Id);
        Assert.Equal(0, Stats(router).PendingCalls);
        cart.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void RouterActor_drops_the_pending_calls_of_a_caller_that_terminates()
    {
        var router = Router();
        var cart = CreateTestProbe();
        var order = CreateTestProbe();
        router.Tell(Table(("cart", [cart]), ("order", [order])));
        Call(cart, router, "req-1", "cart", "order", deadline: NowMs + 60_000);
        Call(cart, router, "req-2", "cart", "order", deadline: NowMs + 60_000);
        order.ExpectMsg<ConnectionCommands.Deliver>();
        order.ExpectMsg<ConnectionCommands.Deliver>();

        Sys.Stop(cart.Ref);

        AwaitAssert(() => Assert.Equal(0, Stats(router).PendingCalls));
        Assert.Equal(0, Stats(router).Errors(ErrorCodes.ConnectionLost));
    }

    [Fact]
    public void RouterActor_counts_routed_calls_responses_and_errors_by_code()
    {
        var router = Router();
        var cart = CreateTestProbe();
        var order = CreateTestProbe();
        router.Tell(Table(("cart", [cart]), ("order", [order])));

        Call(cart, router, "req-1", "cart", "order");
        Call(cart, router, "req-2", "cart", "order");
        order.ExpectMsg<ConnectionCommands.Deliver>();
        order.ExpectMsg<ConnectionCommands.Deliver>();
        Respond(order, router, "req-1", "order", "cart");
        Call(cart, router, "req-3", "cart", "ghost");
        Call(cart, router, "req-4", "cart", "ghost");
        Call(cart, router, "req-5", "cart", "order", depth: 500);

        var stats = Stats(router);
        Assert.Equal(2, stats.CallsRouted);
        Assert.Equal(1, stats.ResponsesRouted);
        Assert.Equal(1, stats.PendingCalls);
        Assert.Equal(2, stats.Errors(ErrorCodes.ServiceNotFound));
        Assert.Equal(1, stats.Errors(ErrorCodes.MaxDepthExceeded));
        Assert.Equal(0, stats.Errors(ErrorCodes.DeadlineExceeded));
    }

    [Fact]
    public void RouterActor_publishes_routing_events_only_when_enabled()
    {
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(GatewayEvent));
        var cart = CreateTestProbe();
        var order = CreateTestProbe();

        var quiet = Router(events: false);
        quiet.Tell(Table(("cart", [cart]), ("order", [order])));
        Call(cart, quiet, "req-0", "cart", "order");
        order.ExpectMsg<ConnectionCommands.Deliver>();
        events.ExpectNoMsg(Quiet);

        var router = Router(events: true);
        router.Tell(Table(("cart", [cart]), ("order", [order])));
        Call(cart, router, "req-1", "cart", "order", depth: 2, deadline: NowMs + 5_000);
        order.ExpectMsg<ConnectionCommands.Deliver>();
        var routed = events.ExpectMsg<CallRouted>();
        Assert.Equal(("cart", "order", "m", "req-1", 2), (routed.From, routed.To, routed.Method, routed.RequestId, routed.Depth.GetValueOrDefault()));

        Respond(order, router, "req-1", "order", "cart");
        Assert.Equal("req-1", events.ExpectMsg<ResponseRouted>().RequestId);

        Call(cart, router, "req-2", "cart", "ghost");
        var error = events.ExpectMsg<GatewayErrorOccurred>();
        Assert.Equal((ErrorCodes.ServiceNotFound, "req-2"), (error.Code, error.RequestId));
    }

    [Fact]
    public void RouterActor_routes_headers_read_by_the_codecs_and_its_error_responses_encode_in_both_encodings()
    {
        var router = Router();
        var cart = CreateTestProbe();
        var order = CreateTestProbe();
        router.Tell(Table(("cart", [cart]), ("order", [order])));
        var context = new CallContext("root-1", ["cart", "order"], 2, NowMs + 5_000);

        var bytes = MessageCodecs.MessagePack.Encode(new CallMessage("req-9", "cart", "order", "get", null, context));
        var header = MessageCodecs.MessagePack.ReadHeader(bytes);
        cart.Send(router, new RouteCall(header, ByteString.FromBytes(bytes), BroEncoding.MessagePack));
        Assert.Equal(bytes, order.ExpectMsg<ConnectionCommands.Deliver>().Payload.ToArray());

        var ghost = MessageCodecs.Json.Encode(new CallMessage("req-10", "cart", "ghost", "get", null, context));
        cart.Send(router, new RouteCall(MessageCodecs.Json.ReadHeader(ghost), ByteString.FromBytes(ghost), BroEncoding.Json));
        var response = ExpectErrorResponse(cart, ErrorCodes.ServiceNotFound);
        foreach (var encoding in new[] { BroEncoding.Json, BroEncoding.MessagePack })
        {
            var codec = MessageCodecs.For(encoding);
            var decoded = Assert.IsType<ResponseMessage>(codec.Decode(codec.Encode(response)));
            Assert.Equal(("req-10", "ghost", "cart", ResponseStatus.Error), (decoded.Id, decoded.From, decoded.To, decoded.Status));
            Assert.Equal(response.Error, decoded.Error);
        }
    }
}
