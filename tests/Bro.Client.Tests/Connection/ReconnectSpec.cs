using Bro.Client.Tests.Support;
using Bro.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Client.Tests.Connection;

public sealed class ReconnectSpec(ITestOutputHelper output) : ClientSpec(output)
{
    [Fact]
    public async Task After_a_gateway_restart_clients_reconnect_and_reregister_and_in_flight_calls_fail_with_CONNECTION_LOST()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var user = await ConnectedClient("user-service", c =>
        {
            c.RegisterMethod<object, string>("ping", (_, _) => Task.FromResult("pong"));
            c.RegisterMethod<object, string>("hang", async (_, _) =>
            {
                await release.Task;
                return "too late";
            });
        });
        var order = await ConnectedClient("order-service");
        Assert.Equal("pong", await order.CallAsync<string>("user-service", "ping").WaitAsync(Patience));

        var lost = new TaskCompletionSource<Events.DisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        order.Disconnected += (_, e) => lost.TrySetResult(e);
        var inFlight = order.CallAsync<string>("user-service", "hang", options: new CallOptions { Timeout = TimeSpan.FromSeconds(60) });
        await AwaitConditionAsync(() => Task.FromResult(order.GetStatus().PendingRequests == 1), Patience);

        var orderBack = Reconnected(order);
        var userBack = Reconnected(user);
        await Gateway.StopAsync();

        var error = await Fails(inFlight);
        Assert.Equal(ErrorCodes.ConnectionLost, error.Code);
        Assert.True((await lost.Task.WaitAsync(Patience)).WillReconnect);
        Assert.Equal(0, order.GetStatus().PendingRequests);

        await Gateway.RestartAsync();
        await Task.WhenAll(orderBack, userBack).WaitAsync(Patience);

        Assert.Equal("pong", await order.CallAsync<string>("user-service", "ping").WaitAsync(Patience));
        Assert.Contains("user-service", await Gateway.Gateway.GetConnectedServicesAsync());
        release.TrySetResult();
    }

    [Fact]
    public async Task Every_pooled_connection_reconnects_after_a_gateway_restart()
    {
        var user = await ConnectedClient(
            "user-service", c => c.RegisterMethod<int, int>("inc", (n, _) => Task.FromResult(n + 1)), o => o with { PoolSize = 3 });
        var order = await ConnectedClient("order-service");
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        user.Disconnected += (_, _) => lost.TrySetResult();

        await Gateway.StopAsync();
        await lost.Task.WaitAsync(Patience);
        await Gateway.RestartAsync();

        await AwaitConditionAsync(() => Task.FromResult(user.GetStatus().OpenConnections == 3 && order.IsConnected), Patience);
        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => order.CallAsync<int>("user-service", "inc", i))).WaitAsync(Patience);
        Assert.Equal(Enumerable.Range(1, 30).Sum(), results.Sum());
        Assert.All(user.OpenConnections, c => Assert.True(c.CallsHandled > 0, $"pool connection {c.PoolIndex} served nothing"));
    }

    [Fact]
    public async Task Without_auto_reconnect_a_lost_connection_stays_down()
    {
        var order = await ConnectedClient("order-service", configure: o => o with { AutoReconnect = false });
        var lost = new TaskCompletionSource<Events.DisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        order.Disconnected += (_, e) => lost.TrySetResult(e);

        await Gateway.StopAsync();

        Assert.False((await lost.Task.WaitAsync(Patience)).WillReconnect);
        Assert.False(order.IsConnected);
        Assert.Equal(ErrorCodes.NotConnected, (await Fails(order.CallAsync<string>("user-service", "ping"))).Code);
    }

    private static Task Reconnected(BroClient client)
    {
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Connected += (_, _) => connected.TrySetResult();
        return connected.Task;
    }
}
