using Akka.Actor;
using Akka.TestKit;
using Bro.Configuration;
using Bro.Connection;
using Bro.Events;
using Bro.Protocol;
using Bro.Registry;
using Bro.Routing;
using Bro.Security;
using Xunit;
using Xunit.Abstractions;
using static Bro.Registry.RegistryActor;
using Bro.Testing;
using Bro.Actors.Tests.Support;

namespace Bro.Actors.Tests.Registry;

/// <summary>
/// The registry's instance groups: who may join a taken name, under which instance, how pool
/// connections find their instance, and what the route and the service info then hold.
/// TestProbes stand in for connection actors, in-memory endpoints with set credentials for the
/// processes behind them.
/// </summary>
public sealed class RegistryActorGroupSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(100);

    private readonly RouteTable _routes = new();

    public RegistryActorGroupSpec(ITestOutputHelper output) : base(VirtualTime.Config, output) { }

    private IActorRef Registry(GatewaySettings? settings = null, bool events = false)
    {
        var registry = Sys.ActorOf(RegistryActor.Props(settings ?? GatewaySettings.Default, _routes, publishEvents: events));
        Settle(registry);
        return registry;
    }

    private void Settle(IActorRef registry)
    {
        registry.Tell(GetServices.Instance, TestActor);
        ExpectMsg<ServiceList>();
    }

    private static TestEndpoint From(int pid) => new() { Credentials = new PeerCredentials(pid, 1000, 1000) };

    /// <summary>Sends REGISTER of <paramref name="name"/> with <paramref name="metadata"/> from <paramref name="connection"/> and waits until it is handled.</summary>
    private TestEndpoint Register(IActorRef registry, TestProbe connection, string name, object? metadata, int? poolIndex = null, TestEndpoint? endpoint = null)
    {
        endpoint ??= From(100);
        var message = TestFrames.Register(name, "get") with
        {
            Metadata = metadata is null ? null : RawValue.FromObject(metadata, BroEncoding.Json),
        };
        connection.Send(registry, new RegisterService(message, poolIndex, endpoint));
        Settle(registry);
        return endpoint;
    }

    private static void ExpectAccepted(TestEndpoint endpoint) => endpoint.TakeSingle<RegisterAckMessage>();

    private static ErrorInfo ExpectRefused(TestProbe connection, TestEndpoint endpoint)
    {
        var close = connection.ExpectMsg<ConnectionCommands.Close>();
        Assert.Null(endpoint.ServiceName);
        Assert.Equal(1, endpoint.ResumeCount);
        return close.Reason!;
    }

    private CallEndpoint[] Route(string service) => _routes.TryGet(service, out var pool) ? pool.Endpoints : [];

    private ServiceInfo? Lookup(IActorRef registry, string name)
    {
        registry.Tell(new GetService(name), TestActor);
        return ExpectMsg<ServiceLookup>().Service;
    }

    [Fact]
    public void RegistryActor_refuses_a_group_instance_of_a_name_registered_without_group_as_a_duplicate()
    {
        var registry = Registry();
        var first = Register(registry, CreateTestProbe(), "user-service", metadata: null);
        var second = CreateTestProbe();

        var refused = Register(registry, second, "user-service", new { group = true, instanceId = "b" }, endpoint: From(200));

        var reason = ExpectRefused(second, refused);
        Assert.Equal(ErrorCodes.ConnectionFailed, reason.Code);
        Assert.StartsWith("Service 'user-service' is already registered, not as an instance group", reason.Message);
        Assert.Equal([first], Route("user-service"));
    }

    [Fact]
    public void RegistryActor_refuses_a_REGISTER_without_group_of_a_name_registered_as_a_group_as_a_duplicate()
    {
        var registry = Registry();
        var first = Register(registry, CreateTestProbe(), "user-service", new { group = true });
        var second = CreateTestProbe();

        var refused = Register(registry, second, "user-service", metadata: null, endpoint: From(200));

        var reason = ExpectRefused(second, refused);
        Assert.Equal(ErrorCodes.ConnectionFailed, reason.Code);
        Assert.StartsWith("Service 'user-service' is already registered as an instance group", reason.Message);
        Assert.Equal([first], Route("user-service"));
    }

    [Fact]
    public void RegistryActor_lets_group_instances_of_other_processes_join_and_routes_to_every_one()
    {
        var registry = Registry();
        var a = Register(registry, CreateTestProbe(), "user-service", new { group = true, instanceId = "a" }, endpoint: From(100));
        var b = Register(registry, CreateTestProbe(), "user-service", new { group = true, instanceId = "b" }, endpoint: From(200));
        var c = Register(registry, CreateTestProbe(), "user-service", new { group = true, instanceId = "c" }, endpoint: From(300));

        foreach (var endpoint in new[] { a, b, c })
        {
            ExpectAccepted(endpoint);
            Assert.Equal("user-service", endpoint.ServiceName);
        }

        Assert.Equal([a, b, c], Route("user-service"));
        var info = Lookup(registry, "user-service")!;
        Assert.True(info.IsGroup);
        Assert.Equal(3, info.Connections);
        Assert.Equal(["a", "b", "c"], info.Instances.Select(i => i.InstanceId));
        Assert.Equal([100, 200, 300], info.Instances.Select(i => i.Credentials!.Pid));
        Assert.All(info.Instances, i => Assert.Equal(1, i.Connections));
    }

    [Fact]
    public void RegistryActor_refuses_a_group_instance_whose_instance_id_is_taken()
    {
        var registry = Registry();
        var kept = Register(registry, CreateTestProbe(), "user-service", new { group = true, instanceId = "a" }, endpoint: From(100));
        var second = CreateTestProbe();

        var refused = Register(registry, second, "user-service", new { group = true, instanceId = "a" }, endpoint: From(200));

        var reason = ExpectRefused(second, refused);
        Assert.Equal(new ErrorInfo("Instance 'a' of service 'user-service' is already registered", ErrorCodes.ConnectionFailed), reason);
        Assert.Equal([kept], Route("user-service"));
        Assert.Single(Lookup(registry, "user-service")!.Instances);
    }

    [Fact]
    public void RegistryActor_names_a_group_instance_that_gives_no_id_without_clashing_with_one_that_did()
    {
        var registry = Registry();
        Register(registry, CreateTestProbe(), "user-service", new { group = true, instanceId = "instance-1" }, endpoint: From(100));
        Register(registry, CreateTestProbe(), "user-service", new { group = true }, endpoint: From(200));
        Register(registry, CreateTestProbe(), "user-service", new { group = true }, endpoint: From(300));

        var info = Lookup(registry, "user-service")!;

        Assert.Equal(["instance-1", "instance-2", "instance-3"], info.Instances.Select(i => i.InstanceId));
    }

    [Fact]
    public void RegistryActor_joins_a_group_pool_connection_to_the_instance_it_names_or_else_of_its_own_process()
    {
        var registry = Registry();
        Register(registry, CreateTestProbe(), "user-service", new { group = true, instanceId = "a" }, endpoint: From(100));
        Register(registry, CreateTestProbe(), "user-service", new { group = true, instanceId = "b" }, endpoint: From(200));

        var named = Register(registry, CreateTestProbe(), "user-service", new { poolIndex = 1, group = true, instanceId = "a" }, 1, From(100));
        var byProcess = Register(registry, CreateTestProbe(), "user-service", new { poolIndex = 1 }, 1, From(200));

        ExpectAccepted(named);
        ExpectAccepted(byProcess);
        var instances = Lookup(registry, "user-service")!.Instances;
        Assert.Equal([("a", 2), ("b", 2)], instances.Select(i => (i.InstanceId, i.Connections)));
        Assert.Equal(4, Route("user-service").Length);
    }

    [Fact]
    public void RegistryActor_refuses_a_group_pool_connection_from_a_process_other_than_its_instances()
    {
        var registry = Registry();
        Register(registry, CreateTestProbe(), "user-service", new { group = true, instanceId = "a" }, endpoint: From(100));
        var intruder = CreateTestProbe();

        var refused = Register(registry, intruder, "user-service", new { poolIndex = 1, group = true, instanceId = "a" }, 1, From(666));

        var reason = ExpectRefused(intruder, refused);
        Assert.Equal(ErrorCodes.ConnectionFailed, reason.Code);
        Assert.Equal("Instance 'a' of service 'user-service' is already registered by process 100; " +
                     "only that process may join its pool, not process 666", reason.Message);
        Assert.Single(Route("user-service"));
    }

    [Fact]
    public void RegistryActor_balances_a_group_by_its_first_REGISTER_and_else_by_the_gateway_default()
    {
        var registry = Registry(GatewaySettings.Default with { DefaultBalancing = BalancingStrategy.Random });
        Register(registry, CreateTestProbe(), "chosen", new { group = true, balance = "least-in-flight" }, endpoint: From(100));
        Register(registry, CreateTestProbe(), "chosen", new { group = true, balance = "round-robin" }, endpoint: From(200));
        Register(registry, CreateTestProbe(), "defaulted", new { group = true }, endpoint: From(100));

        Assert.True(_routes.TryGet("chosen", out var chosen));
        Assert.Equal(BalancingStrategy.LeastInFlight, chosen.Strategy);
        Assert.Equal(BalancingStrategy.LeastInFlight, Lookup(registry, "chosen")!.Balancing);
        Assert.True(_routes.TryGet("defaulted", out var defaulted));
        Assert.Equal(BalancingStrategy.Random, defaulted.Strategy);
    }

    public static TheoryData<object, string> BadGroupMetadata => new()
    {
        { new { group = true, instanceId = 5 }, "metadata.instanceId must be a non-empty string" },
        { new { group = true, instanceId = "" }, "metadata.instanceId must be a non-empty string" },
        { new { group = true, instanceId = "a\nb" }, "metadata.instanceId holds control characters" },
        { new { group = true, instanceId = new string('i', 257) }, "257 bytes is over the limit of 256" },
        { new { group = true, balance = "fastest" }, "metadata.balance must be one of round-robin, least-in-flight, random" },
    };

    [Theory]
    [MemberData(nameof(BadGroupMetadata))]
    public void RegistryActor_refuses_group_metadata_it_cannot_use_with_INVALID_MESSAGE(object metadata, string why)
    {
        var registry = Registry();
        var connection = CreateTestProbe();

        var refused = Register(registry, connection, "user-service", metadata);

        var reason = ExpectRefused(connection, refused);
        Assert.Equal(ErrorCodes.InvalidMessage, reason.Code);
        Assert.Contains(why, reason.Message);
        Assert.Empty(_routes.Services);
    }

    [Fact]
    public void RegistryActor_leaves_group_fields_beside_no_group_true_to_the_service_as_free_form_metadata()
    {
        var registry = Registry();
        var first = Register(registry, CreateTestProbe(), "user-service", new { group = "billing", instanceId = 5, balance = "high" });
        var second = CreateTestProbe();

        var refused = Register(registry, second, "user-service", new { group = "billing" }, endpoint: From(200));

        ExpectAccepted(first);
        Assert.Equal(new ErrorInfo("Service 'user-service' is already registered", ErrorCodes.ConnectionFailed), ExpectRefused(second, refused));
        var info = Lookup(registry, "user-service")!;
        Assert.False(info.IsGroup);
        Assert.Equal(BalancingStrategy.RoundRobin, info.Balancing);
        Assert.Equal(["instance-1"], info.Instances.Select(i => i.InstanceId));
    }

    [Fact]
    public void RegistryActor_takes_a_lost_instance_out_of_the_group_and_the_service_goes_with_its_last_instance()
    {
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(GatewayEvent));
        var registry = Registry(events: true);
        var first = CreateTestProbe();
        var second = CreateTestProbe();
        Register(registry, first, "user-service", new { group = true, instanceId = "a" }, endpoint: From(100));
        var remaining = Register(registry, second, "user-service", new { group = true, instanceId = "b" }, endpoint: From(200));
        Assert.Equal(["a", "b"], new[] { events.ExpectMsg<ServiceRegistered>(), events.ExpectMsg<ServiceRegistered>() }.Select(e => e.InstanceId));

        Sys.Stop(first.Ref);

        var lost = events.ExpectMsg<ServiceDisconnected>();
        Assert.Equal(("a", 1), (lost.InstanceId, lost.RemainingConnections));
        Assert.Equal([remaining], Route("user-service"));
        Assert.Equal(["b"], Lookup(registry, "user-service")!.Instances.Select(i => i.InstanceId));

        // The id of a lost instance is free again.
        var third = CreateTestProbe();
        var again = Register(registry, third, "user-service", new { group = true, instanceId = "a" }, endpoint: From(300));
        ExpectAccepted(again);
        Assert.Equal("a", events.ExpectMsg<ServiceRegistered>().InstanceId);

        Sys.Stop(second.Ref);
        var secondLost = events.ExpectMsg<ServiceDisconnected>();
        Assert.Equal(("b", 1), (secondLost.InstanceId, secondLost.RemainingConnections));
        Assert.Equal([again], Route("user-service"));

        Sys.Stop(third.Ref);
        Assert.Equal(0, events.ExpectMsg<ServiceDisconnected>().RemainingConnections);
        Assert.Empty(_routes.Services);
        Assert.Null(Lookup(registry, "user-service"));
        first.ExpectNoMsg(Quiet);
    }
}
