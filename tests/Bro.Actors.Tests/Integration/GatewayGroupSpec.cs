using Bro.Protocol;
using Xunit;
using Bro.Testing;
using Bro.Actors.Tests.Support;

namespace Bro.Actors.Tests.Integration;

/// <summary>
/// Instance groups over real sockets, with a second process (Node.js, <see cref="NodePeer"/>)
/// as another instance: peer credentials are per process, and killing it is a real kill.
/// </summary>
public sealed class GatewayGroupSpec(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Service = "workers";

    private static string Register(string metadata) =>
        $$"""{"type":"REGISTER","serviceName":"{{Service}}","methods":["echo"],"metadata":{{metadata}}}""";

    private static async Task<RawPeer> Instance(string path, string instanceId)
    {
        var peer = await RawPeer.ConnectAsync(path);
        await peer.SendAsync(new RegisterMessage(Service, ["echo"], "1.0.0",
            RawValue.FromObject(new { group = true, instanceId }, BroEncoding.Json)), BroEncoding.Json);
        await peer.ReadAsync<RegisterAckMessage>();
        return peer;
    }

    private static CallMessage Call(int n) =>
        new($"c-{n}", "caller", Service, "echo", RawValue.FromObject(n, BroEncoding.Json),
            new CallContext($"root-{n}", ["caller"], 1, DateTimeOffset.UtcNow.AddSeconds(30).ToUnixTimeMilliseconds()));

    [Fact]
    public async Task A_group_instance_of_another_process_joins_but_not_a_pool_connection_of_a_third_or_a_REGISTER_without_group()
    {
        await using var gateway = await TestGateway.StartAsync(output: output);
        await using var local = await Instance(gateway.Path, "a");

        await using var other = NodePeer.Start(gateway.Path, Register("""{"group":true,"instanceId":"b"}"""));
        await other.WaitForLineAsync("REGISTER_ACK");
        await using var intruder = NodePeer.Start(gateway.Path, Register("""{"poolIndex":1,"group":true,"instanceId":"a"}"""));
        var intruderError = await intruder.WaitForLineAsync("\"ERROR\"");
        await using var plain = NodePeer.Start(gateway.Path, Register("{}"));
        var plainError = await plain.WaitForLineAsync("\"ERROR\"");

        Assert.Contains($"Instance 'a' of service 'workers' is already registered by process {Environment.ProcessId}", intruderError);
        Assert.Contains($"not process {intruder.Pid}", intruderError);
        Assert.Contains(ErrorCodes.ConnectionFailed, plainError);
        Assert.Contains("Service 'workers' is already registered as an instance group", plainError);
        var info = await gateway.Gateway.GetServiceAsync(Service);
        Assert.Equal([("a", Environment.ProcessId), ("b", other.Pid)], info!.Instances.Select(i => (i.InstanceId, i.Credentials!.Pid)));
    }

    [Fact]
    public async Task A_killed_group_instance_fails_only_its_calls_in_flight_with_CONNECTION_LOST_and_new_calls_go_to_the_others()
    {
        await using var gateway = await TestGateway.StartAsync(output: output);
        await using var local = await Instance(gateway.Path, "a");
        await using var other = NodePeer.Start(gateway.Path, Register("""{"group":true,"instanceId":"b"}"""));
        await other.WaitForLineAsync("REGISTER_ACK");
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");

        // Round-robin from the first instance: even calls to a (this process), odd ones to b (Node).
        for (var n = 0; n < 10; n++)
            await caller.SendAsync(Call(n), BroEncoding.Json);
        var atLocal = new List<CallMessage>();
        for (var n = 0; n < 5; n++)
            atLocal.Add(await local.ReadAsync<CallMessage>());
        await other.WaitForLineAsync("\"c-9\"");
        Assert.Equal(["c-0", "c-2", "c-4", "c-6", "c-8"], atLocal.Select(c => c.Id));

        var bGone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gateway.Gateway.ServiceDisconnected += (_, e) =>
        {
            if (e.InstanceId == "b") bGone.TrySetResult();
        };
        await other.KillAsync();

        // b's five calls in flight are answered CONNECTION_LOST at once, a's still wait for a.
        var lost = new List<ResponseMessage>();
        for (var n = 0; n < 5; n++)
            lost.Add(await caller.ReadAsync<ResponseMessage>());
        Assert.Equal(["c-1", "c-3", "c-5", "c-7", "c-9"], lost.Select(r => r.Id).Order());
        Assert.All(lost, r => Assert.Equal(ErrorCodes.ConnectionLost, r.Error?.Code));
        await bGone.Task.WaitAsync(RawPeer.ReadTimeout);

        foreach (var call in atLocal)
            await local.SendAsync(new ResponseMessage(call.Id, Service, "caller", ResponseStatus.Success, call.Params, null, null), BroEncoding.Json);
        for (var n = 10; n < 14; n++)
            await caller.SendAsync(Call(n), BroEncoding.Json);
        var next = new List<CallMessage>();
        for (var n = 0; n < 4; n++)
            next.Add(await local.ReadAsync<CallMessage>());
        foreach (var call in next)
            await local.SendAsync(new ResponseMessage(call.Id, Service, "caller", ResponseStatus.Success, call.Params, null, null), BroEncoding.Json);

        var answered = new List<ResponseMessage>();
        for (var n = 0; n < 9; n++)
            answered.Add(await caller.ReadAsync<ResponseMessage>());
        Assert.All(answered, r => Assert.Equal(ResponseStatus.Success, r.Status));
        Assert.Equal(["c-0", "c-2", "c-4", "c-6", "c-8", "c-10", "c-11", "c-12", "c-13"], answered.Select(r => r.Id));
        Assert.Equal(["a"], (await gateway.Gateway.GetServiceAsync(Service))!.Instances.Select(i => i.InstanceId));
    }
}
