using System.Text;
using Akka.Actor;
using Akka.TestKit;
using Bro.Configuration;
using Bro.Connection;
using Bro.Events;
using Bro.Protocol;
using Bro.Registry;
using Bro.Routing;
using Xunit;
using Xunit.Abstractions;
using static Bro.Registry.RegistryActor;
using Bro.Testing;
using Bro.Actors.Tests.Support;

namespace Bro.Actors.Tests.Registry;

/// <summary>
/// The registry on the TestScheduler. TestProbes stand in for connection actors (the registry
/// watches them and sends them Close); in-memory endpoints stand in for their data plane (where
/// the registry writes REGISTER_ACK or ERROR and resumes reading); the spec reads the
/// <see cref="RouteTable"/> the registry keeps.
/// </summary>
public sealed class RegistryActorSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);

    // Interval 1 s, so heartbeat-timeout is 3 s; one check per second.
    private readonly GatewaySettings _settings = GatewaySettings.Default with
    {
        HeartbeatInterval = TimeSpan.FromSeconds(1),
        HeartbeatCheckInterval = TimeSpan.FromSeconds(1),
    };

    private readonly RouteTable _routes = new();

    public RegistryActorSpec(ITestOutputHelper output) : base(VirtualTime.Config, output) { }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    private IActorRef Registry(bool events = false)
    {
        var registry = Sys.ActorOf(RegistryActor.Props(_settings, _routes, publishEvents: events));
        Settle(registry); // started: its heartbeat timer runs from the current virtual instant
        return registry;
    }

    /// <summary>Sends REGISTER from <paramref name="connection"/> (the sender the registry watches) and waits until it is handled.</summary>
    private TestEndpoint Register(TestProbe connection, IActorRef registry, string name, int? poolIndex = null, TestEndpoint? endpoint = null)
    {
        endpoint ??= new TestEndpoint();
        connection.Send(registry, new RegisterService(TestFrames.Register(name, "get", "put"), poolIndex, endpoint));
        Settle(registry);
        return endpoint;
    }

    private static RegisterAckMessage ExpectAck(TestEndpoint endpoint)
    {
        var ack = endpoint.TakeSingle<RegisterAckMessage>();
        Assert.Equal(1, endpoint.ResumeCount);
        return ack;
    }

    private CallEndpoint[] Route(string service) =>
        _routes.TryGet(service, out var pool) ? pool.Endpoints : [];

    private ServiceInfo? Lookup(IActorRef registry, string name)
    {
        registry.Tell(new GetService(name), TestActor);
        return ExpectMsg<ServiceLookup>().Service;
    }

    /// <summary>
    /// Waits until the registry has handled everything sent to it so far (its mailbox is FIFO),
    /// so that it reads the virtual clock at the intended moment: a tick reads the clock when
    /// processed, not when scheduled.
    /// </summary>
    private void Settle(IActorRef registry)
    {
        registry.Tell(GetServices.Instance, TestActor);
        ExpectMsg<ServiceList>();
    }

    /// <summary>One virtual second: <paramref name="toucher"/> shows activity, then the clock moves and the heartbeat check runs.</summary>
    private void Step(IActorRef registry, TestProbe toucher)
    {
        toucher.Send(registry, Touch.Instance);
        Settle(registry);
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        Settle(registry);
    }

    [Fact]
    public void RegistryActor_acks_a_registration_publishes_the_route_and_resumes_reading()
    {
        var registry = Registry();
        var user = CreateTestProbe();

        var endpoint = Register(user, registry, "user-service");

        var ack = ExpectAck(endpoint);
        Assert.Equal("bro", ack.Gateway);
        Assert.Equal(1000, ack.HeartbeatInterval);
        Assert.False(string.IsNullOrEmpty(ack.Version));
        Assert.Equal("user-service", endpoint.ServiceName);
        Assert.Equal([endpoint], Route("user-service"));
        user.ExpectNoMsg(Quiet);

        var info = Lookup(registry, "user-service")!;
        Assert.Equal(["get", "put"], info.Methods);
        Assert.Equal("1.0.0", info.Version);
        Assert.Equal(1, info.Connections);
        Assert.Equal(Scheduler.Now.ToUnixTimeMilliseconds(), info.ConnectedAt.ToUnixTimeMilliseconds());
    }

    [Fact]
    public void RegistryActor_queues_the_ack_before_it_publishes_the_route_and_resumes_reading_after()
    {
        var registry = Registry();
        bool? routedAtAck = null, routedAtResume = null;
        var endpoint = new TestEndpoint
        {
            OnWrite = _ => routedAtAck ??= _routes.TryGet("user-service", out ServicePool _),
            OnResume = _ => routedAtResume ??= _routes.TryGet("user-service", out ServicePool _),
        };

        Register(CreateTestProbe(), registry, "user-service", endpoint: endpoint);

        ExpectAck(endpoint);
        Assert.False(routedAtAck); // nothing routed to the service can overtake its ack
        Assert.True(routedAtResume); // a CALL read right after the REGISTER finds its own service
    }

    [Fact]
    public void RegistryActor_refuses_a_duplicate_name_with_CONNECTION_FAILED_and_closes_that_connection()
    {
        var registry = Registry();
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        var kept = Register(first, registry, "user-service");
        ExpectAck(kept);

        var refused = Register(second, registry, "user-service");

        var close = second.ExpectMsg<ConnectionCommands.Close>();
        Assert.Equal(new ErrorInfo("Service 'user-service' is already registered", ErrorCodes.ConnectionFailed), close.Reason);
        Assert.Empty(refused.Frames); // the Close writes the ERROR
        Assert.Equal(1, refused.ResumeCount);
        Assert.Null(refused.ServiceName);
        Assert.Equal([kept], Route("user-service"));
        Assert.Equal(1, Lookup(registry, "user-service")!.Connections);
        first.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void RegistryActor_adds_connections_with_a_pool_index_to_the_route_in_registration_order()
    {
        var registry = Registry();
        var pool = new TestEndpoint[3];
        for (var i = 0; i < pool.Length; i++)
        {
            pool[i] = Register(CreateTestProbe(), registry, "order-service", i == 0 ? null : i);
            ExpectAck(pool[i]);
        }

        Assert.Equal(pool, Route("order-service"));
        Assert.True(_routes.TryGet("order-service", out var route));
        Assert.Equal([pool[0], pool[1], pool[2], pool[0]], Enumerable.Range(0, 4).Select(_ => route.Pick()));
        registry.Tell(GetServices.Instance, TestActor);
        var info = Assert.Single(ExpectMsg<ServiceList>().Services);
        Assert.Equal(("order-service", 3), (info.Name, info.Connections));
    }

    [Fact]
    public void RegistryActor_creates_the_service_for_a_pool_index_without_an_existing_service()
    {
        var registry = Registry();

        var endpoint = Register(CreateTestProbe(), registry, "order-service", poolIndex: 2);

        ExpectAck(endpoint);
        Assert.Equal([endpoint], Route("order-service"));
    }

    [Fact]
    public void RegistryActor_refuses_a_second_registration_on_one_connection_with_INVALID_MESSAGE_and_keeps_the_first()
    {
        var registry = Registry();
        var connection = CreateTestProbe();
        var endpoint = Register(connection, registry, "user-service");
        ExpectAck(endpoint);

        Register(connection, registry, "other-service", endpoint: endpoint);

        var error = endpoint.TakeSingle<ErrorMessage>();
        Assert.Equal(ErrorCodes.InvalidMessage, error.Error.Code);
        Assert.Contains("'user-service'", error.Error.Message);
        Assert.Equal(2, endpoint.ResumeCount);
        Assert.Equal("user-service", endpoint.ServiceName);
        Assert.Equal([endpoint], Route("user-service"));
        Assert.Empty(Route("other-service"));
        Assert.Null(Lookup(registry, "other-service"));
        connection.ExpectNoMsg(Quiet);
    }

    public static TheoryData<RegisterMessage, string> InvalidRegistrations => new()
    {
        { new RegisterMessage("", []), "without a serviceName" },
        { new RegisterMessage(new string('s', 257), []), "257 bytes is over the limit of 256" },
        { new RegisterMessage(new string('é', 129), []), "258 bytes is over the limit of 256" },
        { new RegisterMessage("evil\nservice", []), "control characters" },
        { new RegisterMessage("svc", [.. Enumerable.Range(0, 1001).Select(i => $"m{i}")]), "1001 methods, over the limit of 1000" },
        { new RegisterMessage("svc", [], null, new RawValue(BroEncoding.Json, Encoding.UTF8.GetBytes($"\"{new string('x', 64 * 1024)}\""))),
            "65538 bytes is over the limit of 65536" },
    };

    [Theory]
    [MemberData(nameof(InvalidRegistrations))]
    public void RegistryActor_refuses_a_REGISTER_over_a_limit_with_INVALID_MESSAGE_and_closes_that_connection(RegisterMessage register, string why)
    {
        var registry = Registry();
        var connection = CreateTestProbe();
        var endpoint = new TestEndpoint();

        connection.Send(registry, new RegisterService(register, null, endpoint));

        var close = connection.ExpectMsg<ConnectionCommands.Close>();
        Assert.Equal(ErrorCodes.InvalidMessage, close.Reason!.Code);
        Assert.Contains(why, close.Reason.Message);
        Settle(registry);
        Assert.Equal(1, endpoint.ResumeCount);
        Assert.Null(endpoint.ServiceName);
        Assert.Empty(_routes.Services);
    }

    [Fact]
    public void RegistryActor_accepts_a_REGISTER_at_every_limit()
    {
        var registry = Registry();
        var connection = CreateTestProbe();
        var endpoint = new TestEndpoint();
        var register = new RegisterMessage(new string('s', 256), [.. Enumerable.Range(0, 1000).Select(i => $"m{i}")], null,
            new RawValue(BroEncoding.Json, Encoding.UTF8.GetBytes($"\"{new string('x', 64 * 1024 - 2)}\"")));

        connection.Send(registry, new RegisterService(register, null, endpoint));
        Settle(registry);

        ExpectAck(endpoint);
        Assert.Equal([endpoint], Route(register.ServiceName));
    }

    [Fact]
    public void RegistryActor_evicts_a_silent_connection_after_the_heartbeat_timeout_and_keeps_a_touched_one()
    {
        var registry = Registry();
        var silent = CreateTestProbe();
        var chatty = CreateTestProbe();
        Register(silent, registry, "silent");
        var chattyEndpoint = Register(chatty, registry, "chatty");

        // 3 s of silence is the limit, not yet over it.
        for (var i = 0; i < 3; i++) Step(registry, chatty);
        silent.ExpectNoMsg(Quiet);
        Assert.Single(Route("silent"));

        Step(registry, chatty);

        var close = silent.ExpectMsg<ConnectionCommands.Close>();
        Assert.Equal(ErrorCodes.ConnectionLost, close.Reason?.Code);
        Assert.Contains("'silent'", close.Reason!.Message);
        Assert.Empty(Route("silent"));
        Assert.Equal([chattyEndpoint], Route("chatty"));
        chatty.ExpectNoMsg(Quiet);
        Assert.Null(Lookup(registry, "silent"));
        Assert.Equal(Scheduler.Now.ToUnixTimeMilliseconds() - 1000,
            Lookup(registry, "chatty")!.LastHeartbeat.ToUnixTimeMilliseconds());
    }

    [Fact]
    public void RegistryActor_removes_a_terminated_connection_and_a_pool_disappears_with_its_last_connection()
    {
        var registry = Registry();
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        Register(first, registry, "order-service");
        var remaining = Register(second, registry, "order-service", poolIndex: 1);
        Assert.Equal(2, Route("order-service").Length);

        Sys.Stop(first.Ref);
        AwaitAssert(() => Assert.Equal([remaining], Route("order-service")));
        Assert.Equal(1, Lookup(registry, "order-service")!.Connections);

        Sys.Stop(second.Ref);
        AwaitAssert(() => Assert.Empty(_routes.Services));
        Assert.Null(Lookup(registry, "order-service"));
    }

    [Fact]
    public void RegistryActor_lets_a_name_be_registered_again_once_its_connection_is_gone()
    {
        var registry = Registry();
        var first = CreateTestProbe();
        Register(first, registry, "user-service");
        Sys.Stop(first.Ref);
        AwaitAssert(() => Assert.Null(Lookup(registry, "user-service")));

        var again = Register(CreateTestProbe(), registry, "user-service");

        ExpectAck(again);
        Assert.Equal([again], Route("user-service"));
    }

    [Fact]
    public void RegistryActor_answers_GetServices_and_GetService_with_snapshots()
    {
        var registry = Registry();
        foreach (var name in new[] { "user", "cart", "order" })
            Register(CreateTestProbe(), registry, name);

        registry.Tell(GetServices.Instance, TestActor);
        var services = ExpectMsg<ServiceList>().Services;
        Assert.Equal(["cart", "order", "user"], services.Select(s => s.Name));
        Assert.All(services, s => Assert.Equal((1, "1.0.0"), (s.Connections, s.Version)));

        registry.Tell(new GetService("ghost"), TestActor);
        Assert.Equal(new ServiceLookup("ghost", null), ExpectMsg<ServiceLookup>());
        Assert.Equal("cart", Lookup(registry, "cart")!.Name);
    }

    [Fact]
    public void RegistryActor_publishes_registration_and_disconnection_events_when_enabled()
    {
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(GatewayEvent));
        var registry = Registry(events: true);
        var connection = CreateTestProbe();

        Register(connection, registry, "order-service", poolIndex: 4);
        var registered = events.ExpectMsg<ServiceRegistered>();
        Assert.Equal(("order-service", "1.0.0", 4), (registered.Name, registered.Version, registered.PoolIndex.GetValueOrDefault()));
        Assert.Equal(["get", "put"], registered.Methods);

        Sys.Stop(connection.Ref);
        var disconnected = events.ExpectMsg<ServiceDisconnected>();
        Assert.Equal(("order-service", "connection closed", 0), (disconnected.Name, disconnected.Reason, disconnected.RemainingConnections));
    }

    [Fact]
    public void RegistryActor_publishes_no_events_when_disabled()
    {
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(GatewayEvent));
        var registry = Registry(events: false);
        var connection = CreateTestProbe();

        ExpectAck(Register(connection, registry, "order-service"));
        Sys.Stop(connection.Ref);
        AwaitAssert(() => Assert.Empty(_routes.Services));

        events.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void RegistryActor_ignores_a_touch_from_a_connection_that_never_registered()
    {
        var registry = Registry();
        var stranger = CreateTestProbe();

        stranger.Send(registry, Touch.Instance);
        Settle(registry);
        Scheduler.Advance(TimeSpan.FromSeconds(5));
        Settle(registry);

        stranger.ExpectNoMsg(Quiet);
        Assert.Empty(_routes.Services);
    }

    [Fact]
    public void RegistryActor_clears_routes_it_does_not_know_when_it_starts()
    {
        // A restarted registry lost its entries: a route left behind would lead to a connection nobody watches.
        _routes.Set("stale", [TestEndpoint.Registered("stale")]);

        Registry();

        Assert.Empty(_routes.Services);
    }
}
