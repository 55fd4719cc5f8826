using Akka.Actor;
using Akka.TestKit;
using Bro.Configuration;
using Bro.Connection;
using Bro.Events;
using Bro.Gateway.Tests.Support;
using Bro.Protocol;
using Bro.Registry;
using Bro.Routing;
using Xunit;
using Xunit.Abstractions;
using static Bro.Registry.RegistryActor;

namespace Bro.Gateway.Tests;

public sealed class RegistryActorSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);

    // Interval 1 s, so heartbeat-timeout is 3 s; one check per second.
    private readonly GatewaySettings _settings = GatewaySettings.Default with
    {
        HeartbeatInterval = TimeSpan.FromSeconds(1),
        HeartbeatCheckInterval = TimeSpan.FromSeconds(1),
    };

    private readonly TestProbe _router;

    public RegistryActorSpec(ITestOutputHelper output) : base(VirtualTime.Config, output)
    {
        _router = CreateTestProbe();
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    private IActorRef Registry(bool events = false)
    {
        var registry = Sys.ActorOf(RegistryActor.Props(_settings, _router.Ref, publishEvents: events));
        Assert.Empty(_router.ExpectMsg<RouterActor.ServicesChanged>().Table.Services); // published on start
        return registry;
    }

    private static void Register(TestProbe connection, IActorRef registry, string name, int? poolIndex = null) =>
        connection.Send(registry, new RegisterService(TestFrames.Register(name, "get", "put"), poolIndex));

    private static RegisterAckMessage ExpectAck(TestProbe connection) =>
        Assert.IsType<RegisterAckMessage>(connection.ExpectMsg<ConnectionCommands.Send>().Message);

    private ServiceInfo? Lookup(IActorRef registry, string name)
    {
        registry.Tell(new GetService(name), TestActor);
        return ExpectMsg<ServiceLookup>().Service;
    }

    /// <summary>
    /// One virtual second: <paramref name="toucher"/> shows activity, then the clock moves and the
    /// heartbeat check runs. Settling (a query answered) between steps makes the registry read the
    /// clock at the intended moments: a tick reads the clock when processed, not when scheduled.
    /// </summary>
    private void Step(IActorRef registry, TestProbe toucher)
    {
        toucher.Send(registry, Touch.Instance);
        Settle(registry);
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        Settle(registry);
    }

    private void Settle(IActorRef registry)
    {
        registry.Tell(GetServices.Instance, TestActor);
        ExpectMsg<ServiceList>();
    }

    [Fact]
    public void RegistryActor_acks_a_registration_and_publishes_the_routing_table()
    {
        var registry = Registry();
        var user = CreateTestProbe();

        Register(user, registry, "user-service");

        var ack = ExpectAck(user);
        Assert.Equal("bro", ack.Gateway);
        Assert.Equal(1000, ack.HeartbeatInterval);
        Assert.False(string.IsNullOrEmpty(ack.Version));
        var changed = _router.ExpectMsg<RouterActor.ServicesChanged>();
        Assert.Equal([user.Ref], changed.Table.Services["user-service"].ToArray());
        Assert.Empty(changed.Removed.ToArray());

        var info = Lookup(registry, "user-service")!;
        Assert.Equal(["get", "put"], info.Methods);
        Assert.Equal("1.0.0", info.Version);
        Assert.Equal(1, info.Connections);
        Assert.Equal(Scheduler.Now.ToUnixTimeMilliseconds(), info.ConnectedAt.ToUnixTimeMilliseconds());
    }

    [Fact]
    public void RegistryActor_refuses_a_duplicate_name_with_CONNECTION_FAILED_and_closes_that_connection()
    {
        var registry = Registry();
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        Register(first, registry, "user-service");
        ExpectAck(first);
        _router.ExpectMsg<RouterActor.ServicesChanged>();

        Register(second, registry, "user-service");

        var close = second.ExpectMsg<ConnectionCommands.Close>();
        Assert.Equal(new ErrorInfo("Service 'user-service' is already registered", "CONNECTION_FAILED"), close.Reason);
        _router.ExpectNoMsg(Quiet);
        Assert.Equal(1, Lookup(registry, "user-service")!.Connections);
    }

    [Fact]
    public void RegistryActor_adds_connections_with_a_pool_index_to_the_service_pool()
    {
        var registry = Registry();
        TestProbe[] pool = [CreateTestProbe(), CreateTestProbe(), CreateTestProbe()];
        for (var i = 0; i < pool.Length; i++)
        {
            Register(pool[i], registry, "order-service", i == 0 ? null : i);
            ExpectAck(pool[i]);
            _router.ExpectMsg<RouterActor.ServicesChanged>();
        }

        registry.Tell(GetServices.Instance, TestActor);
        var info = Assert.Single(ExpectMsg<ServiceList>().Services);
        Assert.Equal(("order-service", 3), (info.Name, info.Connections));
    }

    [Fact]
    public void RegistryActor_creates_the_service_for_a_pool_index_without_an_existing_service()
    {
        var registry = Registry();
        var connection = CreateTestProbe();

        Register(connection, registry, "order-service", poolIndex: 2);

        ExpectAck(connection);
        Assert.Equal([connection.Ref], _router.ExpectMsg<RouterActor.ServicesChanged>().Table.Services["order-service"].ToArray());
    }

    [Fact]
    public void RegistryActor_refuses_a_second_registration_on_one_connection_with_INVALID_MESSAGE_and_keeps_the_first()
    {
        var registry = Registry();
        var connection = CreateTestProbe();
        Register(connection, registry, "user-service");
        ExpectAck(connection);
        _router.ExpectMsg<RouterActor.ServicesChanged>();

        Register(connection, registry, "other-service");

        var error = Assert.IsType<ErrorMessage>(connection.ExpectMsg<ConnectionCommands.Send>().Message);
        Assert.Equal(ErrorCodes.InvalidMessage, error.Error.Code);
        _router.ExpectNoMsg(Quiet);
        Assert.NotNull(Lookup(registry, "user-service"));
        Assert.Null(Lookup(registry, "other-service"));
    }

    [Fact]
    public void RegistryActor_evicts_a_silent_connection_after_the_heartbeat_timeout_and_keeps_a_touched_one()
    {
        var registry = Registry();
        var silent = CreateTestProbe();
        var chatty = CreateTestProbe();
        Register(silent, registry, "silent");
        ExpectAck(silent);
        Register(chatty, registry, "chatty");
        ExpectAck(chatty);
        _router.ExpectMsg<RouterActor.ServicesChanged>();
        _router.ExpectMsg<RouterActor.ServicesChanged>();

        // 3 s of silence is the limit, not yet over it.
        for (var i = 0; i < 3; i++) Step(registry, chatty);
        silent.ExpectNoMsg(Quiet);

        Step(registry, chatty);

        var close = silent.ExpectMsg<ConnectionCommands.Close>();
        Assert.Equal(ErrorCodes.ConnectionLost, close.Reason?.Code);
        Assert.Contains("'silent'", close.Reason!.Message);
        var changed = _router.ExpectMsg<RouterActor.ServicesChanged>();
        Assert.Equal([silent.Ref], changed.Removed.ToArray());
        Assert.False(changed.Table.Services.ContainsKey("silent"));
        Assert.True(changed.Table.Services.ContainsKey("chatty"));
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
        ExpectAck(first);
        Register(second, registry, "order-service", poolIndex: 1);
        ExpectAck(second);
        _router.ExpectMsg<RouterActor.ServicesChanged>();
        _router.ExpectMsg<RouterActor.ServicesChanged>();

        Sys.Stop(first.Ref);
        var changed = _router.ExpectMsg<RouterActor.ServicesChanged>();
        Assert.Equal([first.Ref], changed.Removed.ToArray());
        Assert.Equal([second.Ref], changed.Table.Services["order-service"].ToArray());

        Sys.Stop(second.Ref);
        changed = _router.ExpectMsg<RouterActor.ServicesChanged>();
        Assert.Equal([second.Ref], changed.Removed.ToArray());
        Assert.Empty(changed.Table.Services);
        Assert.Null(Lookup(registry, "order-service"));
    }

    [Fact]
    public void RegistryActor_lets_a_name_be_registered_again_once_its_connection_is_gone()
    {
        var registry = Registry();
        var first = CreateTestProbe();
        Register(first, registry, "user-service");
        ExpectAck(first);
        _router.ExpectMsg<RouterActor.ServicesChanged>();
        Sys.Stop(first.Ref);
        _router.ExpectMsg<RouterActor.ServicesChanged>();

        var again = CreateTestProbe();
        Register(again, registry, "user-service");
        ExpectAck(again);
    }

    [Fact]
    public void RegistryActor_answers_GetServices_with_snapshots_ordered_by_name()
    {
        var registry = Registry();
        foreach (var name in new[] { "user", "cart", "order" })
        {
            var connection = CreateTestProbe();
            Register(connection, registry, name);
            ExpectAck(connection);
        }

        registry.Tell(GetServices.Instance, TestActor);
        Assert.Equal(["cart", "order", "user"], ExpectMsg<ServiceList>().Services.Select(s => s.Name));
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

        Sys.Stop(connection.Ref);
        var disconnected = events.ExpectMsg<ServiceDisconnected>();
        Assert.Equal(("order-service", "connection closed", 0), (disconnected.Name, disconnected.Reason, disconnected.RemainingConnections));
    }

    [Fact]
    public void RegistryActor_refuses_a_registration_without_a_name_with_INVALID_MESSAGE()
    {
        var registry = Registry();
        var connection = CreateTestProbe();

        connection.Send(registry, new RegisterService(new RegisterMessage("", []), null));

        var error = Assert.IsType<ErrorMessage>(connection.ExpectMsg<ConnectionCommands.Send>().Message);
        Assert.Equal(ErrorCodes.InvalidMessage, error.Error.Code);
        _router.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void RegistryActor_ignores_a_touch_from_a_connection_that_never_registered()
    {
        var registry = Registry();
        var stranger = CreateTestProbe();

        stranger.Send(registry, Touch.Instance);
        Settle(registry);

        stranger.ExpectNoMsg(Quiet);
        _router.ExpectNoMsg(Quiet);
    }
}
