using Bro.Protocol;
using Xunit;
using Bro.Testing;

namespace Bro.Actors.Tests.Integration;

/// <summary>
/// CANCEL over real sockets: a caller's CANCEL and a caller's hang-up reach a callee that
/// announced the feature, its late answer reaches nobody, and a caller that only half-closed
/// keeps its call.
/// </summary>
public sealed class GatewayCancelSpec
{
    /// <summary>Registers under <paramref name="name"/> announcing <c>features: ["cancel"]</c>.</summary>
    private static async Task<RawPeer> RegisterUnderstandingCancel(string path, string name)
    {
        var peer = await RawPeer.ConnectAsync(path);
        var metadata = RawValue.FromObject(new { features = new[] { BroFeatures.Cancel } }, BroEncoding.Json);
        await peer.SendAsync(new RegisterMessage(name, ["echo"], "1.0.0", metadata), BroEncoding.Json);
        await peer.ReadAsync<RegisterAckMessage>();
        return peer;
    }

    [Fact]
    public async Task A_callers_CANCEL_reaches_the_callee_and_the_late_answer_reaches_nobody()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var callee = await RegisterUnderstandingCancel(gateway.Path, "callee");
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        var call = TestCalls.Echo("caller", "callee");
        await caller.SendAsync(call, BroEncoding.Json);
        var delivered = await callee.ReadAsync<CallMessage>();

        await caller.SendAsync(new CancelMessage(call.Id, "caller", "callee"), BroEncoding.Json);

        Assert.Equal(new CancelMessage(delivered.Id, "caller", "callee", CancelReasons.Cancelled), await callee.ReadAsync<CancelMessage>());
        await callee.SendAsync(Messages.BuildSuccessResponse(delivered), BroEncoding.Json);
        // The next call's answer is the first frame the caller reads: the late one went nowhere.
        var next = TestCalls.Echo("caller", "callee");
        await caller.SendAsync(next, BroEncoding.Json);
        await callee.SendAsync(Messages.BuildSuccessResponse(await callee.ReadAsync<CallMessage>()), BroEncoding.Json);
        Assert.Equal(next.Id, (await caller.ReadAsync<ResponseMessage>()).Id);
        var status = await gateway.Gateway.GetStatusAsync();
        Assert.Equal((0, 1L), (status.PendingCalls, status.ResponsesDropped));
    }

    [Fact]
    public async Task A_callee_is_told_CANCEL_when_its_caller_hangs_up_with_the_call_in_flight()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var callee = await RegisterUnderstandingCancel(gateway.Path, "callee");
        var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        var call = TestCalls.Echo("caller", "callee");
        await caller.SendAsync(call, BroEncoding.Json);
        var delivered = await callee.ReadAsync<CallMessage>();

        await caller.DisposeAsync();

        Assert.Equal(new CancelMessage(delivered.Id, "caller", "callee", CancelReasons.CallerLost), await callee.ReadAsync<CancelMessage>());
    }

    [Fact]
    public async Task A_caller_that_only_half_closed_keeps_its_call_and_gets_the_answer()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var callee = await RegisterUnderstandingCancel(gateway.Path, "callee");
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        var call = TestCalls.Echo("caller", "callee");
        await caller.SendAsync(call, BroEncoding.Json);
        var withdrawn = gateway.DisconnectionOf("caller");

        caller.ShutdownSend();
        var delivered = await callee.ReadAsync<CallMessage>();
        await withdrawn;
        await callee.SendAsync(Messages.BuildSuccessResponse(delivered), BroEncoding.Json);

        var response = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, ResponseStatus.Success), (response.Id, response.Status));
    }
}
