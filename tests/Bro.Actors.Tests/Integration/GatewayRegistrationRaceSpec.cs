using Bro.Protocol;
using Xunit;
using Bro.Testing;

namespace Bro.Actors.Tests.Integration;

/// <summary>
/// A service that registers a moment after it is called does not see its caller fail: ipc-bro's
/// pooled client calls as soon as its sockets connect, before the gateway acknowledged its
/// REGISTERs, and the Node gateway (one thread, frames in arrival order) never failed those.
/// </summary>
public sealed class GatewayRegistrationRaceSpec
{
    [Fact]
    public async Task Calls_sent_before_their_target_connects_are_delivered_in_order_once_it_registers()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await caller.SendAsync(TestCalls.Echo("caller", "late", "c-1"), BroEncoding.Json);
        await caller.SendAsync(TestCalls.Echo("caller", "late", "c-2"), BroEncoding.Json);

        await using var late = await RawPeer.RegisterAsync(gateway.Path, "late");
        await caller.SendAsync(TestCalls.Echo("caller", "late", "c-3"), BroEncoding.Json);

        foreach (var id in new[] { "c-1", "c-2", "c-3" })
        {
            var call = await late.ReadAsync<CallMessage>();
            Assert.Equal(id, call.Id);
            await late.SendAsync(Messages.BuildSuccessResponse(call), BroEncoding.Json);
            var response = await caller.ReadAsync<ResponseMessage>();
            Assert.Equal((id, ResponseStatus.Success), (response.Id, response.Status));
        }
    }

    [Fact]
    public async Task A_call_to_a_service_that_never_registers_is_answered_SERVICE_NOT_FOUND_after_the_grace()
    {
        await using var gateway = await TestGateway.StartAsync(s => s with { RegistrationGrace = TimeSpan.FromMilliseconds(100) });
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");

        await caller.SendAsync(TestCalls.Echo("caller", "ghost", "c-1"), BroEncoding.Json);

        var response = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal(("c-1", ErrorCodes.ServiceNotFound), (response.Id, response.Error?.Code));
        Assert.Contains("waited 100 ms", response.Error!.Message);
    }
}
