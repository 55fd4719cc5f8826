using Bro.Gateway.Tests.Support;
using Bro.Protocol;
using Xunit;

namespace Bro.Gateway.Tests.Integration;

/// <summary>Heartbeat eviction over real sockets (the virtual-time cases are in RegistryActorSpec).</summary>
public sealed class GatewayHeartbeatSpec
{
    [Fact]
    public async Task A_silent_service_is_evicted_with_CONNECTION_LOST_while_a_heartbeating_one_stays()
    {
        await using var gateway = await TestGateway.StartAsync(s => s with
        {
            HeartbeatInterval = TimeSpan.FromSeconds(1),
            HeartbeatCheckInterval = TimeSpan.FromMilliseconds(100),
        });
        await using var silent = await RawPeer.RegisterAsync(gateway.Path, "silent");
        await using var alive = await RawPeer.RegisterAsync(gateway.Path, "alive");
        var evicted = gateway.DisconnectionOf("silent");

        using var stop = new CancellationTokenSource();
        var heartbeats = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
                await alive.SendAsync(new HeartbeatMessage("alive", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), BroEncoding.Json);
        });

        var error = await silent.ReadAsync<ErrorMessage>();
        Assert.Equal(ErrorCodes.ConnectionLost, error.Error.Code);
        Assert.True(await silent.WaitClosedAsync(), "the evicted connection stays open");
        await evicted;

        Assert.True(await gateway.Gateway.IsServiceConnectedAsync("alive"));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => heartbeats);
    }
}
