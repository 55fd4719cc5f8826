using Bro.Configuration;
using Bro.Protocol;
using Bro.Routing;
using Xunit;
using Xunit.Abstractions;
using Bro.Actors.Tests.Support;

namespace Bro.Actors.Tests.Routing;

/// <summary>
/// How the data plane spreads calls over the connections of a group (<see cref="ServicePool"/>
/// strategies as <see cref="CallRouter"/> uses them), and what a lost connection's calls get.
/// In-memory endpoints, routed on the test's thread.
/// </summary>
public sealed class GroupBalancingSpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly ManualClock _clock = new();
    private readonly RouteTable _routes = new();
    private readonly CallRouter _router;
    private readonly TestEndpoint _caller;

    public GroupBalancingSpec(ITestOutputHelper output) : base(output: output)
    {
        _router = new CallRouter(GatewaySettings.Default with { RegistrationGrace = TimeSpan.Zero }, _routes, _clock, Sys.Log, null);
        _caller = Connection("order-service");
        _routes.Set("order-service", [_caller]);
    }

    private TestEndpoint Connection(string name)
    {
        var endpoint = TestEndpoint.Registered(name);
        _router.Attach(endpoint);
        return endpoint;
    }

    private TestEndpoint[] Group(int size, BalancingStrategy strategy)
    {
        var group = Enumerable.Range(0, size).Select(_ => Connection("user-service")).ToArray();
        _routes.Set("user-service", group, strategy);
        return group;
    }

    private int _lastId;

    /// <summary>Routes a CALL from the caller to user-service, as the caller's read loop would; returns its id.</summary>
    private string Call()
    {
        var id = $"req-{++_lastId}";
        var payload = _caller.Codec.Encode(new CallMessage(id, "order-service", "user-service", "get",
            RawValue.FromObject(new { n = 1 }, BroEncoding.Json), new CallContext("root", ["order-service"], 1, _clock.NowMs + 5_000)));
        var flushes = new FlushList();
        _router.RouteCall(_caller, _caller.Codec.ReadHeader(payload), Frames.Frame(payload), flushes);
        _ = flushes.FlushAll();
        return id;
    }

    /// <summary>Has <paramref name="responder"/> answer the call it was given as <paramref name="id"/>.</summary>
    private void Answer(TestEndpoint responder, string id)
    {
        var payload = responder.Codec.Encode(new ResponseMessage(id, "user-service", "order-service", ResponseStatus.Success,
            RawValue.FromObject(true, BroEncoding.Json), null, null));
        var flushes = new FlushList();
        _router.RouteResponse(responder, responder.Codec.ReadHeader(payload), Frames.Frame(payload), flushes);
        _ = flushes.FlushAll();
    }

    private static string[] Received(TestEndpoint endpoint) => endpoint.Take().OfType<CallMessage>().Select(c => c.Id).ToArray();

    [Fact]
    public void Least_in_flight_gives_each_call_to_the_group_connection_with_the_fewest_calls_in_flight_ties_in_turn()
    {
        var group = Group(3, BalancingStrategy.LeastInFlight);

        // All idle: one each, in turn.
        for (var i = 0; i < 3; i++)
            Call();
        var given = group.Select(e => Assert.Single(Received(e))).ToArray();
        Assert.All(group, endpoint => Assert.Equal(1, endpoint.IncomingLoad));

        // The second connection answers: it alone has none in flight, so it gets the next call,
        // and, answering that too, the one after.
        Answer(group[1], given[1]);
        var next = Call();
        Assert.Equal([next], Received(group[1]));
        Answer(group[1], next);
        var after = Call();
        Assert.Equal([after], Received(group[1]));
        Assert.Empty(Received(group[0]));
        Assert.Empty(Received(group[2]));

        // Now all have one in flight again: the tie goes on in turn, not always to the first.
        for (var i = 0; i < 3; i++)
            Call();
        Assert.All(group, endpoint => Assert.Single(Received(endpoint)));
    }

    [Fact]
    public void Least_in_flight_sends_nothing_to_a_group_connection_that_closed_while_still_in_the_route()
    {
        var group = Group(3, BalancingStrategy.LeastInFlight);
        Call();
        Call();
        Received(group[0]);
        Received(group[1]);
        _router.ConnectionLost(group[2]); // idle, but gone: the registry has not taken it out yet

        for (var i = 0; i < 10; i++)
            Call();

        Assert.Equal(10, Received(group[0]).Length + Received(group[1]).Length);
        Assert.DoesNotContain(_caller.Take(), m => m is ResponseMessage);
    }

    [Fact]
    public void Random_spreads_group_calls_over_every_connection_and_skips_one_that_closed()
    {
        var group = Group(3, BalancingStrategy.Random);

        for (var i = 0; i < 600; i++)
            Call();

        var counts = group.Select(e => Received(e).Length).ToArray();
        Output?.WriteLine($"calls per connection: {string.Join(", ", counts)}");
        Assert.Equal(600, counts.Sum());
        Assert.All(counts, n => Assert.InRange(n, 120, 280));

        _router.ConnectionLost(group[0]);
        _caller.Take(); // the CONNECTION_LOST answers of the calls in flight on it
        for (var i = 0; i < 100; i++)
            Call();
        Assert.Equal(100, Received(group[1]).Length + Received(group[2]).Length);
        Assert.Empty(_caller.Take());
    }

    [Fact]
    public void Round_robin_gives_each_group_connection_its_turn_and_one_connection_is_picked_whatever_the_strategy()
    {
        var group = Group(3, BalancingStrategy.RoundRobin);
        for (var i = 0; i < 9; i++)
            Call();
        Assert.All(group, e => Assert.Equal(3, Received(e).Length));

        foreach (var strategy in Enum.GetValues<BalancingStrategy>())
        {
            var single = Connection("solo");
            _routes.Set("solo", [single], strategy);
            Assert.True(_routes.TryGet("solo", out var pool));
            Assert.Same(single, pool.Pick());
        }
    }

    [Fact]
    public void A_lost_group_connection_answers_its_calls_in_flight_CONNECTION_LOST_at_once_and_the_next_calls_go_to_the_others()
    {
        var group = Group(3, BalancingStrategy.RoundRobin);
        for (var i = 0; i < 6; i++)
            Call();
        var onLost = Received(group[1]);
        Assert.Equal(2, onLost.Length);
        Assert.Equal(4, Received(group[0]).Length + Received(group[2]).Length);

        _router.ConnectionLost(group[1]);
        _routes.Set("user-service", [group[0], group[2]]); // what the registry does when it sees the connection go

        var answered = _caller.Take().OfType<ResponseMessage>().ToArray();
        Assert.Equal(onLost, answered.Select(r => r.Id));
        Assert.All(answered, r => Assert.Equal(ErrorCodes.ConnectionLost, r.Error?.Code));

        for (var i = 0; i < 4; i++)
            Call();
        Assert.Equal(4, Received(group[0]).Length + Received(group[2]).Length);
        Assert.Empty(_caller.Take());
        Assert.Equal(8, _router.Stats().PendingCalls);
    }
}
