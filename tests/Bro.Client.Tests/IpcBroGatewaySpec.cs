using Bro.Client.Tests.Support;
using Bro.Protocol;
using Xunit;

namespace Bro.Client.Tests;

/// <summary>The client against a (scripted) ipc-bro gateway: plain REGISTER_ACK, ERROR frames for unroutable calls.</summary>
public sealed class IpcBroGatewaySpec
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Registers_heartbeats_and_fails_a_call_the_gateway_answers_with_an_ERROR_frame()
    {
        await using var gateway = FakeIpcBroGateway.Start();
        using var cts = new CancellationTokenSource(Patience);
        await using var client = new BroClient(new BroClientOptions
        {
            ServiceName = "cart-service",
            GatewayPath = gateway.Path,
            HeartbeatInterval = TimeSpan.FromMilliseconds(100),
        });
        client.RegisterMethod<object, int>("count", (_, _) => Task.FromResult(1));

        var connecting = client.ConnectAsync(cts.Token);
        using var peer = await gateway.AcceptAsync(cts.Token);
        var register = await peer.ReadAsync(cts.Token);
        Assert.Equal("REGISTER", register.GetProperty("type").GetString());
        Assert.Equal("cart-service", register.GetProperty("serviceName").GetString());
        Assert.Equal("count", register.GetProperty("methods")[0].GetString());
        await peer.WriteAsync("""{"type":"REGISTER_ACK"}""", cts.Token);
        await connecting.WaitAsync(Patience);
        Assert.True(client.IsConnected);

        var heartbeat = await peer.ReadAsync(cts.Token);
        Assert.Equal("HEARTBEAT", heartbeat.GetProperty("type").GetString());
        Assert.Equal("cart-service", heartbeat.GetProperty("from").GetString());

        var gatewayErrors = new TaskCompletionSource<Events.GatewayErrorEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.GatewayError += (_, e) => gatewayErrors.TrySetResult(e);
        var call = client.CallAsync<int>("ghost-service", "anything");
        var sent = await ReadUntil(peer, "CALL", cts.Token);
        var id = sent.GetProperty("id").GetString();
        Assert.Equal(["cart-service", "ghost-service"], sent.GetProperty("context").GetProperty("chain").EnumerateArray().Select(e => e.GetString()));
        await peer.WriteAsync(
            $$"""{"type":"ERROR","id":"{{id}}","error":{"message":"Service 'ghost-service' not found","code":"SERVICE_NOT_FOUND"},"timestamp":1}""",
            cts.Token);

        var error = await Assert.ThrowsAsync<BroException>(() => call.WaitAsync(Patience));
        Assert.Equal(ErrorCodes.ServiceNotFound, error.Code);
        Assert.Equal(id, (await gatewayErrors.Task.WaitAsync(Patience)).RequestId);
        Assert.Equal(0, client.GetStatus().PendingRequests);
    }

    [Fact]
    public async Task A_refusal_followed_by_a_close_fails_ConnectAsync_with_the_gateways_message()
    {
        await using var gateway = FakeIpcBroGateway.Start();
        using var cts = new CancellationTokenSource(Patience);
        await using var client = new BroClient(new BroClientOptions { ServiceName = "user-service", GatewayPath = gateway.Path });

        var connecting = client.ConnectAsync(cts.Token);
        using (var peer = await gateway.AcceptAsync(cts.Token))
        {
            await peer.ReadAsync(cts.Token);
            await peer.WriteAsync(
                """{"type":"ERROR","error":{"message":"Service 'user-service' is already registered","code":"CONNECTION_FAILED"},"timestamp":1}""",
                cts.Token);
        }

        var error = await Assert.ThrowsAsync<BroException>(() => connecting.WaitAsync(Patience));
        Assert.Equal(ErrorCodes.ConnectionFailed, error.Code);
        Assert.Equal("Service 'user-service' is already registered", error.Message);
    }

    [Fact]
    public async Task Without_a_REGISTER_ACK_in_time_ConnectAsync_fails_with_CONNECTION_FAILED()
    {
        await using var gateway = FakeIpcBroGateway.Start();
        using var cts = new CancellationTokenSource(Patience);
        await using var client = new BroClient(new BroClientOptions
        {
            ServiceName = "mute", GatewayPath = gateway.Path, RegisterTimeout = TimeSpan.FromMilliseconds(200),
        });

        var connecting = client.ConnectAsync(cts.Token);
        using var peer = await gateway.AcceptAsync(cts.Token);

        var error = await Assert.ThrowsAsync<BroException>(() => connecting.WaitAsync(Patience));
        Assert.Equal(ErrorCodes.ConnectionFailed, error.Code);
        Assert.Contains("REGISTER_ACK", error.Message);
    }

    private static async Task<System.Text.Json.JsonElement> ReadUntil(FakeIpcBroGateway.Peer peer, string type, CancellationToken cancellationToken)
    {
        while (true)
        {
            var frame = await peer.ReadAsync(cancellationToken);
            if (frame.GetProperty("type").GetString() == type)
                return frame;
        }
    }
}
