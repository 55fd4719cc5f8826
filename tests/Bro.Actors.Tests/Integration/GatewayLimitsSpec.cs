using Bro.Protocol;
using Xunit;
using Bro.Testing;

namespace Bro.Actors.Tests.Integration;

/// <summary>What a peer can make the gateway hold is capped by a setting, over real sockets.</summary>
public sealed class GatewayLimitsSpec
{
    [Fact]
    public async Task A_connection_over_max_connections_gets_CONNECTION_FAILED_and_is_closed_and_a_freed_place_is_taken_again()
    {
        await using var gateway = await TestGateway.StartAsync(s => s with { MaxConnections = 2 });
        await using var first = await RawPeer.RegisterAsync(gateway.Path, "first");
        var second = await RawPeer.RegisterAsync(gateway.Path, "second");

        await using (var third = await RawPeer.ConnectAsync(gateway.Path))
        {
            var error = await third.ReadAsync<ErrorMessage>();
            Assert.Equal(ErrorCodes.ConnectionFailed, error.Error.Code);
            Assert.Contains("max-connections", error.Error.Message);
            Assert.True(await third.WaitClosedAsync(), "the connection over the limit stays open");
        }

        var gone = gateway.DisconnectionOf("second");
        await second.DisposeAsync();
        await gone;

        // The place the second connection left is free again (its actor may stop a moment after
        // the registry saw it go: retry the connect until the gateway has counted it out).
        await using var fourth = await RegisterWhenAdmittedAsync(gateway.Path, "fourth");
        Assert.Equal(["first", "fourth"], await gateway.Gateway.GetConnectedServicesAsync());
    }

    private static async Task<RawPeer> RegisterWhenAdmittedAsync(string path, string name)
    {
        for (var attempt = 0; ; attempt++)
        {
            var peer = await RawPeer.ConnectAsync(path);
            object answer;
            try
            {
                await peer.SendAsync(new RegisterMessage(name, []), BroEncoding.Json);
                answer = await peer.ReadAsync();
                if (answer is RegisterAckMessage)
                    return peer;
            }
            catch (IOException refused)
            {
                // Refused connections are closed at once: the REGISTER may meet a closed socket.
                answer = refused.Message;
            }

            await peer.DisposeAsync();
            Assert.True(attempt < 50, $"{name} was never admitted: {answer}");
        }
    }
}
