using Bro.Protocol;
using Xunit;
using Bro.Testing;

namespace Bro.Actors.Tests.Integration;

/// <summary>
/// A peer that shuts down only its sending side (a script that writes its CALLs and then reads
/// the answers, `nc -N`) still gets the frames queued for it and the answers to its calls; what
/// it can no longer do is answer, so it serves nothing more.
/// </summary>
public sealed class GatewayHalfCloseSpec
{
    [Fact]
    public async Task A_half_closed_caller_still_gets_the_answer_to_its_call_then_the_gateway_closes_it()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee");
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        var call = TestCalls.Echo("caller", "callee");
        await caller.SendAsync(call, BroEncoding.Json);

        var withdrawn = gateway.DisconnectionOf("caller");
        caller.ShutdownSend();
        var delivered = await callee.ReadAsync<CallMessage>();
        // Answered only once the gateway has seen the caller's end of stream.
        await withdrawn;
        await callee.SendAsync(Messages.BuildSuccessResponse(delivered), BroEncoding.Json);

        var response = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, ResponseStatus.Success), (response.Id, response.Status));
        Assert.True(await caller.WaitClosedAsync(), "the gateway keeps the answered half-closed connection open");
    }

    [Fact]
    public async Task A_half_closed_callee_is_withdrawn_and_the_calls_it_can_no_longer_answer_get_CONNECTION_LOST()
    {
        await using var gateway = await TestGateway.StartAsync(s => s with { RegistrationGrace = TimeSpan.Zero });
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee");
        var first = TestCalls.Echo("caller", "callee");
        await caller.SendAsync(first, BroEncoding.Json);
        Assert.Equal(first.Id, (await callee.ReadAsync<CallMessage>()).Id);

        var withdrawn = gateway.DisconnectionOf("callee");
        callee.ShutdownSend();

        var lost = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal((first.Id, ErrorCodes.ConnectionLost), (lost.Id, lost.Error?.Code));
        // Until the registry has withdrawn it, a CALL to it is answered CONNECTION_LOST; after, not found.
        await withdrawn;
        var second = TestCalls.Echo("caller", "callee");
        await caller.SendAsync(second, BroEncoding.Json);
        var notFound = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal((second.Id, ErrorCodes.ServiceNotFound), (notFound.Id, notFound.Error?.Code));
        Assert.True(await callee.WaitClosedAsync(), "the gateway keeps the half-closed callee open");
    }

    [Fact]
    public async Task A_stranger_that_writes_garbage_and_half_closes_still_reads_its_ERROR()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var peer = await RawPeer.ConnectAsync(gateway.Path);

        await peer.WriteAsync(Frames.Frame("hello"u8));
        peer.ShutdownSend();

        var error = await peer.ReadAsync<ErrorMessage>();
        Assert.Equal(ErrorCodes.DeserializationFailed, error.Error.Code);
        Assert.True(await peer.WaitClosedAsync());
    }
}
