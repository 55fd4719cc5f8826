using Bro.Client.Tests.Support;
using Bro.Configuration;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Client.Tests.Connection;

public sealed class HeartbeatSpec(ITestOutputHelper output) : ClientSpec(output)
{
    protected override GatewaySettings ConfigureGateway(GatewaySettings settings) => settings with
    {
        // The gateway's connections report liveness at most once a second, hence a 3 s timeout
        // (with room for the other specs running in parallel).
        HeartbeatInterval = TimeSpan.FromMilliseconds(300),
        HeartbeatTimeout = TimeSpan.FromSeconds(3),
        HeartbeatCheckInterval = TimeSpan.FromMilliseconds(100),
    };

    [Fact]
    public async Task A_client_follows_the_shorter_heartbeat_a_Bro_gateway_announces_and_is_not_evicted()
    {
        // The client's own interval (30 s) would get it evicted after 3 s of silence.
        var client = await ConnectedClient("quiet-service", configure: o => o with { HeartbeatInterval = TimeSpan.FromSeconds(30) });
        var evicted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Disconnected += (_, _) => evicted.TrySetResult();
        client.GatewayError += (_, e) => Output?.WriteLine($"gateway error: {e.Error.Code} {e.Error.Message}");

        await Assert.ThrowsAsync<TimeoutException>(() => evicted.Task.WaitAsync(TimeSpan.FromSeconds(4.5)));

        Assert.True(client.IsConnected);
        Assert.Contains("quiet-service", await Gateway.Gateway.GetConnectedServicesAsync());
    }
}
