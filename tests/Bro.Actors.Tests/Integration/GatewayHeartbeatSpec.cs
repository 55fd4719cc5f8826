using Bro.Protocol;
using Xunit;
using Bro.Testing;

namespace Bro.Actors.Tests.Integration;

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

    [Fact]
    public async Task A_connection_that_never_registers_is_closed_after_the_register_timeout()
    {
        await using var gateway = await TestGateway.StartAsync(s => s with { RegisterTimeout = TimeSpan.FromMilliseconds(600) });
        await using var stranger = await RawPeer.ConnectAsync(gateway.Path);

        var error = await stranger.ReadAsync<ErrorMessage>();

        Assert.Equal(ErrorCodes.ConnectionFailed, error.Error.Code);
        Assert.Contains("No REGISTER within 0.6 s", error.Error.Message);
        Assert.True(await stranger.WaitClosedAsync(), "the stranger's connection stays open");
    }

    [Fact]
    public async Task A_connection_that_registered_in_time_is_not_closed_as_a_stranger()
    {
        await using var gateway = await TestGateway.StartAsync(s => s with
        {
            RegisterTimeout = TimeSpan.FromMilliseconds(900),
            HeartbeatCheckInterval = TimeSpan.FromMinutes(1),
        });
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee");

        // Past the register deadline (0.9 s) the registered connections still route; the
        // heartbeat check is pushed out of the way so only the register deadline could act.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var call = Messages.BuildCall("caller", "callee", "echo", null, CallContexts.Create("caller", TimeSpan.FromSeconds(30)));
        await caller.SendAsync(call, BroEncoding.Json);

        Assert.Equal(call.Id, (await callee.ReadAsync<CallMessage>()).Id);
    }
}
