using Akka.Actor;
using Akka.TestKit;
using Bro.Configuration;
using Bro.Protocol;
using Bro.Routing;
using Xunit;
using Xunit.Abstractions;
using Bro.Actors.Tests.Support;

namespace Bro.Actors.Tests.Routing;

/// <summary>
/// The router actor on the TestScheduler: its timer drives the <see cref="CallRouter"/>'s
/// sweep, and the router reads the same virtual clock, so deadlines pass only when the test
/// advances time.
/// </summary>
public sealed class RouterActorSpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly GatewaySettings _settings = GatewaySettings.Default with
    {
        PendingSweepInterval = TimeSpan.FromSeconds(1),
        RequestTimeout = TimeSpan.FromMilliseconds(2_500),
        RegistrationGrace = TimeSpan.Zero,
    };

    private readonly RouteTable _routes = new();

    public RouterActorSpec(ITestOutputHelper output) : base(VirtualTime.Config, output) { }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    private CallRouter NewRouter() => new(_settings, _routes, Scheduler, Sys.Log, null);

    private TestEndpoint Service(CallRouter router, string name)
    {
        var endpoint = TestEndpoint.Registered(name);
        router.Attach(endpoint);
        _routes.Set(name, [endpoint]);
        return endpoint;
    }

    private static void Send(CallRouter router, TestEndpoint from, BroMessage message)
    {
        var payload = from.Codec.Encode(message);
        var header = from.Codec.ReadHeader(payload);
        var flushes = new FlushList();
        if (header.Type == MessageType.Call)
            router.RouteCall(from, header, Frames.Frame(payload), flushes);
        else
            router.RouteResponse(from, header, Frames.Frame(payload), flushes);
        _ = flushes.FlushAll();
    }

    private CallMessage Call(string id, string from, string to, long deadline) =>
        new(id, from, to, "get", null, new CallContext("root-1", [from, to], 1, deadline));

    /// <summary>
    /// The actor's counters. Also a barrier: a timer tick the scheduler fired before this is
    /// already in the actor's mailbox, so once the answer arrives the sweep it asked for has run.
    /// </summary>
    private GatewayStats Stats(IActorRef actor)
    {
        actor.Tell(RouterActor.GetStats.Instance, TestActor);
        return ExpectMsg<GatewayStats>();
    }

    [Fact]
    public void RouterActor_answers_a_call_past_its_clamped_deadline_only_when_its_timer_sweeps()
    {
        var router = NewRouter();
        var actor = Sys.ActorOf(RouterActor.Props(_settings, router));
        var cart = Service(router, "cart");
        var order = Service(router, "order");
        Stats(actor); // started: its timer is scheduled from the current virtual instant

        // Ten years ahead: only request-timeout (2.5 s) bounds the call.
        Send(router, cart, Call("req-1", "cart", "order", Scheduler.Now.ToUnixTimeMilliseconds() + (long)TimeSpan.FromDays(3653).TotalMilliseconds));
        Assert.Single(order.Take());

        Scheduler.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, Stats(actor).PendingCalls);
        Assert.Empty(cart.Frames);

        // Past the deadline, but between two sweeps: nothing yet.
        Scheduler.Advance(TimeSpan.FromMilliseconds(600));
        Assert.Equal(1, Stats(actor).PendingCalls);
        Assert.Empty(cart.Frames);

        Scheduler.Advance(TimeSpan.FromMilliseconds(400));
        var stats = Stats(actor);
        var response = cart.TakeSingle<ResponseMessage>();
        Assert.Equal(("req-1", ResponseStatus.Error, ErrorCodes.DeadlineExceeded), (response.Id, response.Status, response.Error?.Code));
        Assert.Equal((0, 1), (stats.PendingCalls, stats.Errors(ErrorCodes.DeadlineExceeded)));
    }

    [Fact]
    public void RouterActor_answers_GetStats_with_the_routers_counters()
    {
        var router = NewRouter();
        var actor = Sys.ActorOf(RouterActor.Props(_settings, router));
        var cart = Service(router, "cart");
        var order = Service(router, "order");
        var deadline = Scheduler.Now.ToUnixTimeMilliseconds() + 2_000;

        Send(router, cart, Call("req-1", "cart", "order", deadline));
        Send(router, cart, Call("req-2", "cart", "order", deadline));
        Send(router, order, new ResponseMessage("req-1", "order", "cart", ResponseStatus.Success, null, null, null));
        Send(router, order, new ResponseMessage("req-9", "order", "cart", ResponseStatus.Success, null, null, null));
        Send(router, cart, Call("req-3", "cart", "ghost", deadline));

        var stats = Stats(actor);
        Assert.Equal((2, 1, 1, 1), (stats.CallsRouted, stats.ResponsesRouted, stats.ResponsesDropped, stats.PendingCalls));
        Assert.Equal(1, stats.Errors(ErrorCodes.ServiceNotFound));
        Assert.Equal(router.Stats().ErrorsByCode, stats.ErrorsByCode);
    }
}
