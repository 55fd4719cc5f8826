using System.Collections.Concurrent;
using Bro.Client.Tests.Support;
using Bro.Protocol;
using Bro.Routing;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Client.Tests;

/// <summary>
/// Instance groups end to end: several clients serve one name (<see cref="BroClientOptions.Group"/>),
/// each on connections of its own, and the gateway spreads the calls to it over all of them.
/// </summary>
public sealed class InstanceGroupSpec(ITestOutputHelper output) : ClientSpec(output)
{
    private const string Service = "user-service";

    /// <summary>A connected instance of the group that answers <c>who</c> with <paramref name="name"/>, after <paramref name="handle"/>.</summary>
    private Task<BroClient> Instance(string name, Func<Task>? handle = null, Func<BroClientOptions, BroClientOptions>? configure = null) =>
        ConnectedClient(Service, c => c.RegisterMethod<int, string>("who", async (_, _) =>
        {
            if (handle is not null)
                await handle();
            return name;
        }), o => (configure ?? (x => x))(o with { Group = true, InstanceId = name, MaxConcurrentHandlers = 2_000 }));

    private static Task<string?[]> CallMany(BroClient caller, int count) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(i => caller.CallAsync<string>(Service, "who", i)));

    [Fact]
    public async Task Group_instances_join_one_name_with_their_pools_and_a_duplicate_or_a_REGISTER_without_Group_is_refused()
    {
        await Instance("a", configure: o => o with { PoolSize = 2 });
        await Instance("b", configure: o => o with { PoolSize = 2, Serializer = BroSerializer.MessagePack });

        var plain = NewClient(Service);
        var plainError = await Fails(plain.ConnectAsync());
        var twin = NewClient(Service, o => o with { Group = true, InstanceId = "a" });
        var twinError = await Fails(twin.ConnectAsync());

        Assert.Equal(ErrorCodes.ConnectionFailed, plainError.Code);
        Assert.StartsWith("Service 'user-service' is already registered", plainError.Message);
        Assert.Equal(ErrorCodes.ConnectionFailed, twinError.Code);
        Assert.Equal("Instance 'a' of service 'user-service' is already registered", twinError.Message);
        var info = await Gateway.Gateway.GetServiceAsync(Service);
        Assert.NotNull(info);
        Assert.True(info.IsGroup);
        Assert.Equal(4, info.Connections);
        Assert.Equal([("a", 2), ("b", 2)], info.Instances.Select(i => (i.InstanceId, i.Connections)));
        Assert.All(info.Instances, i => Assert.Equal(Environment.ProcessId, i.Credentials?.Pid));
    }

    [Fact]
    public async Task Three_group_instances_share_3000_calls_within_10_percent_of_even_under_round_robin()
    {
        foreach (var name in new[] { "a", "b", "c" })
            await Instance(name);
        var caller = await ConnectedClient("order-service");

        var answers = await CallMany(caller, 3_000).WaitAsync(TimeSpan.FromSeconds(30));

        var shares = answers.GroupBy(a => a).ToDictionary(g => g.Key!, g => g.Count());
        Output?.WriteLine($"calls per instance: {string.Join(", ", shares.Select(s => $"{s.Key}={s.Value}"))}");
        Assert.Equal(["a", "b", "c"], shares.Keys.Order());
        Assert.All(shares.Values, n => Assert.InRange(n, 900, 1_100));
    }

    [Fact]
    public async Task Least_in_flight_sends_fewer_calls_to_a_slow_group_instance()
    {
        // The first instance founds the group and chooses its balancing; its handler is slow.
        await Instance("slow", () => Task.Delay(20), o => o with { Balance = BalancingStrategy.LeastInFlight });
        await Instance("fast-1");
        await Instance("fast-2");
        var caller = await ConnectedClient("order-service");
        var answers = new ConcurrentBag<string?>();

        // Eight callers, each waiting for its answer before the next call: what is in flight
        // on an instance is what it has not answered yet.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var i = 0; i < 75; i++)
                answers.Add(await caller.CallAsync<string>(Service, "who", i));
        })).WaitAsync(TimeSpan.FromSeconds(30));

        var slow = answers.Count(a => a == "slow");
        Output?.WriteLine($"slow instance: {slow} of {answers.Count} calls");
        Assert.Equal(600, answers.Count);
        Assert.Equal(BalancingStrategy.LeastInFlight, (await Gateway.Gateway.GetServiceAsync(Service))!.Balancing);
        // Round-robin would give it 200; half of that is already far from even.
        Assert.InRange(slow, 1, 99);
    }

    [Fact]
    public async Task Killing_a_group_instance_mid_load_fails_only_its_calls_in_flight_with_CONNECTION_LOST_and_the_others_take_the_rest()
    {
        // a and b hold every call until released, so the load is in flight when c goes; c never answers.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cHasItsShare = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var never = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cCalls = 0;
        await Instance("a", () => release.Task);
        await Instance("b", () => release.Task);
        var c = await Instance("c", () =>
        {
            if (Interlocked.Increment(ref cCalls) == 500)
                cHasItsShare.TrySetResult();
            return never.Task;
        });
        var caller = await ConnectedClient("order-service");

        var firstWave = Enumerable.Range(0, 1_500).Select(i => caller.CallAsync<string>(Service, "who", i)).ToArray();
        await cHasItsShare.Task.WaitAsync(Patience);
        await c.DisposeAsync();

        // c's 500 fail at once, while a's and b's are still held.
        await AwaitAssertAsync(() => Assert.Equal(500, firstWave.Count(t => t.IsFaulted)), Patience);
        Assert.DoesNotContain(firstWave, t => t.IsCompletedSuccessfully);
        Assert.All(firstWave.Where(t => t.IsFaulted), t => Assert.Equal(ErrorCodes.ConnectionLost, ((BroException)t.Exception!.InnerException!).Code));

        await AwaitAssertAsync(async () =>
            Assert.Equal(["a", "b"], (await Gateway.Gateway.GetServiceAsync(Service))!.Instances.Select(i => i.InstanceId)), Patience);
        var secondWave = Enumerable.Range(0, 1_500).Select(i => caller.CallAsync<string>(Service, "who", i)).ToArray();
        release.SetResult();

        var answered = await Task.WhenAll(firstWave.Where(t => !t.IsFaulted).Concat(secondWave)).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2_500, answered.Length);
        Assert.All(answered, a => Assert.Contains(a, new[] { "a", "b" }));
        Assert.Equal(500, Volatile.Read(ref cCalls));
        var shares = answered.GroupBy(a => a).Select(g => g.Count()).ToArray();
        Output?.WriteLine($"a and b answered {string.Join(" and ", shares)}");
        Assert.All(shares, n => Assert.InRange(n, 1_125, 1_375));
    }
}
