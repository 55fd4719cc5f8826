using Akka.TestKit;
using Bro.Configuration;
using Bro.Protocol;
using Bro.Routing;
using Xunit;
using Xunit.Abstractions;
using Bro.Actors.Tests.Support;

namespace Bro.Actors.Tests.Routing;

/// <summary>
/// The registration grace and the deadline alarm on the TestScheduler: a CALL to a service that
/// is not registered waits for it (never past its deadline), and every deadline is answered
/// when it comes due, not at the next periodic sweep. The router's alarm is on the virtual
/// scheduler, so time passes only when a test advances it.
/// </summary>
public sealed class RegistrationGraceSpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly GatewaySettings _settings = GatewaySettings.Default with
    {
        PendingSweepInterval = TimeSpan.FromSeconds(1),
        RequestTimeout = TimeSpan.FromSeconds(5),
        RegistrationGrace = TimeSpan.FromMilliseconds(250),
    };

    private readonly RouteTable _routes = new();

    public RegistrationGraceSpec(ITestOutputHelper output) : base(VirtualTime.Config, output) { }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    private long NowMs => Scheduler.Now.ToUnixTimeMilliseconds();

    private CallRouter NewRouter(GatewaySettings? settings = null) =>
        new(settings ?? _settings, _routes, Scheduler, Sys.Log, null, new SchedulerAlarm(Scheduler));

    private static TestEndpoint Connect(CallRouter router, string name)
    {
        var endpoint = TestEndpoint.Registered(name);
        router.Attach(endpoint);
        return endpoint;
    }

    private TestEndpoint Service(CallRouter router, string name)
    {
        var endpoint = Connect(router, name);
        _routes.Set(name, [endpoint]);
        return endpoint;
    }

    private static void Send(CallRouter router, TestEndpoint from, BroMessage message)
    {
        var payload = from.Codec.Encode(message);
        var flushes = new FlushList();
        router.RouteCall(from, from.Codec.ReadHeader(payload), Frames.Frame(payload), flushes);
        _ = flushes.FlushAll();
    }

    private CallMessage Call(string id, string to, long? deadline = null) =>
        new(id, "cart", to, "get", null, new CallContext("root-1", ["cart", to], 1, deadline ?? NowMs + 2_000));

    [Fact]
    public void A_call_to_a_service_that_registers_within_the_grace_is_delivered_in_order()
    {
        var router = NewRouter();
        var cart = Service(router, "cart");
        Send(router, cart, Call("req-1", "late"));
        Send(router, cart, Call("req-2", "late"));
        Scheduler.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Empty(cart.Frames);

        var late = Service(router, "late");
        // The route exists now, but a CALL sent next still queues behind the two that waited.
        Send(router, cart, Call("req-3", "late"));

        Assert.Equal(["req-1", "req-2", "req-3"], late.Take().Cast<CallMessage>().Select(c => c.Id));
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(cart.Frames);
        Assert.Equal(3, router.Stats().PendingCalls);
    }

    [Fact]
    public void A_call_to_a_service_that_does_not_register_is_answered_SERVICE_NOT_FOUND_when_the_grace_ends()
    {
        var router = NewRouter();
        var cart = Service(router, "cart");
        Send(router, cart, Call("req-1", "ghost"));

        Scheduler.Advance(TimeSpan.FromMilliseconds(249));
        Assert.Empty(cart.Frames);

        Scheduler.Advance(TimeSpan.FromMilliseconds(1));
        var response = cart.TakeSingle<ResponseMessage>();
        Assert.Equal(("req-1", "ghost", ErrorCodes.ServiceNotFound), (response.Id, response.From, response.Error?.Code));
        Assert.Contains("250 ms", response.Error!.Message);
    }

    [Fact]
    public void The_grace_never_outlasts_the_calls_deadline()
    {
        var router = NewRouter();
        var cart = Service(router, "cart");
        Send(router, cart, Call("req-1", "ghost", deadline: NowMs + 40));

        Scheduler.Advance(TimeSpan.FromMilliseconds(39));
        Assert.Empty(cart.Frames);

        Scheduler.Advance(TimeSpan.FromMilliseconds(1));
        var response = cart.TakeSingle<ResponseMessage>();
        Assert.Equal(("req-1", ErrorCodes.ServiceNotFound), (response.Id, response.Error?.Code));
        Assert.Contains("until its deadline", response.Error!.Message);
    }

    [Fact]
    public void A_zero_grace_answers_an_unknown_target_at_once()
    {
        var router = NewRouter(_settings with { RegistrationGrace = TimeSpan.Zero });
        var cart = Service(router, "cart");

        Send(router, cart, Call("req-1", "ghost"));

        Assert.Equal(ErrorCodes.ServiceNotFound, cart.TakeSingle<ResponseMessage>().Error?.Code);
    }

    [Fact]
    public void What_one_caller_may_park_is_capped_by_its_calls_in_flight()
    {
        var router = NewRouter(_settings with { MaxCallsInFlight = 2 });
        var cart = Service(router, "cart");
        Send(router, cart, Call("req-1", "ghost"));
        Send(router, cart, Call("req-2", "ghost"));

        Send(router, cart, Call("req-3", "ghost"));

        var refused = cart.TakeSingle<ResponseMessage>();
        Assert.Equal(("req-3", ErrorCodes.ServiceNotFound), (refused.Id, refused.Error?.Code));
    }

    [Fact]
    public void The_calls_of_a_caller_that_left_are_not_delivered_when_their_target_registers()
    {
        var router = NewRouter();
        var cart = Service(router, "cart");
        var user = Service(router, "user");
        Send(router, cart, Call("req-1", "late"));
        Send(router, user, new CallMessage("req-2", "user", "late", "get", null, new CallContext("root-2", ["user"], 1, NowMs + 2_000)));

        router.ConnectionLost(cart);
        var late = Service(router, "late");

        Assert.Equal("req-2", late.TakeSingle<CallMessage>().Id);
    }

    [Fact]
    public void Stopping_answers_the_waiting_calls_CONNECTION_LOST()
    {
        var router = NewRouter();
        var cart = Service(router, "cart");
        Send(router, cart, Call("req-1", "ghost"));

        router.ShutDown();

        var response = cart.TakeSingle<ResponseMessage>();
        Assert.Equal(("req-1", ErrorCodes.ConnectionLost), (response.Id, response.Error?.Code));
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(cart.Frames);
    }

    [Fact]
    public void A_call_in_flight_is_answered_DEADLINE_EXCEEDED_when_its_deadline_comes_not_at_the_next_sweep()
    {
        var router = NewRouter();
        var cart = Service(router, "cart");
        var order = Service(router, "order");
        Send(router, cart, Call("req-slow", "order", deadline: NowMs + 1_500));
        Send(router, cart, Call("req-fast", "order", deadline: NowMs + 130));
        Assert.Equal(2, order.Take().Count);

        Scheduler.Advance(TimeSpan.FromMilliseconds(129));
        Assert.Empty(cart.Frames);

        Scheduler.Advance(TimeSpan.FromMilliseconds(1));
        var fast = cart.TakeSingle<ResponseMessage>();
        Assert.Equal(("req-fast", ErrorCodes.DeadlineExceeded), (fast.Id, fast.Error?.Code));

        // The alarm is set again for the next deadline.
        Scheduler.Advance(TimeSpan.FromMilliseconds(1_369));
        Assert.Empty(cart.Frames);
        Scheduler.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("req-slow", cart.TakeSingle<ResponseMessage>().Id);
        Assert.Equal(0, router.Stats().PendingCalls);
    }
}
