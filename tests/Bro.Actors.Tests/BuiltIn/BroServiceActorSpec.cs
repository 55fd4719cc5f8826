using Akka.Configuration;
using Bro.BuiltIn;
using Bro.Configuration;
using Bro.Protocol;
using Xunit;
using Xunit.Abstractions;
using Bro.Testing;

namespace Bro.Actors.Tests.BuiltIn;

/// <summary>
/// The built-in service <c>bro</c> of a real gateway, called over real sockets as any client
/// would call it: its answers, its reserved name, the policy over it, the monitor's long poll.
/// </summary>
public sealed class BroServiceActorSpec(ITestOutputHelper output)
{
    private const BroEncoding Json = BroEncoding.Json;

    private static async Task<ResponseMessage> CallBroAsync(RawPeer peer, string from, string method, object? parameters = null,
        BroEncoding encoding = Json)
    {
        var call = Messages.BuildCall(from, BroService.Name, method, parameters is null ? null : RawValue.FromObject(parameters, encoding),
            CallContexts.Create(from, TimeSpan.FromSeconds(30)));
        await peer.SendAsync(call, encoding);
        var response = await peer.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, BroService.Name, from), (response.Id, response.From, response.To));
        return response;
    }

    private static T Result<T>(ResponseMessage response)
    {
        Assert.True(response.Status == ResponseStatus.Success, $"{response.Error?.Code}: {response.Error?.Message}");
        return response.Data!.Deserialize<T>()!;
    }

    [Fact]
    public async Task BroService_answers_ping_with_the_gateway_name_and_version()
    {
        await using var gateway = await TestGateway.StartAsync(output: output);
        await using var peer = await RawPeer.RegisterAsync(gateway.Path, "probe");

        var pong = Result<PingReply>(await CallBroAsync(peer, "probe", BroService.Ping));

        Assert.Equal(GatewaySettings.Default.GatewayName, pong.Gateway);
        Assert.Matches(@"^\d+\.\d+\.\d+$", pong.Version);
        Assert.InRange(pong.UptimeMs, 0, 60_000);
    }

    [Fact]
    public async Task BroService_answers_services_with_methods_encodings_peers_calls_in_flight_and_served()
    {
        await using var gateway = await TestGateway.StartAsync(output: output);
        await using var order = await RawPeer.RegisterAsync(gateway.Path, "order", BroEncoding.MessagePack);
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");

        var answered = TestCalls.Echo("caller", "order");
        await caller.SendAsync(answered, Json);
        await order.SendAsync(Messages.BuildSuccessResponse(await order.ReadAsync<CallMessage>()), BroEncoding.MessagePack);
        await caller.ReadAsync<ResponseMessage>();
        await caller.SendAsync(TestCalls.Echo("caller", "order"), Json);
        await order.ReadAsync<CallMessage>(); // delivered, never answered: in flight

        var services = Result<ServiceReport[]>(await CallBroAsync(caller, "caller", BroService.Services));

        Assert.Equal(["caller", "order"], services.Select(s => s.Name));
        var listed = services[1];
        Assert.Equal(["echo"], listed.Methods);
        Assert.Equal("1.0.0", listed.Version);
        Assert.Equal(1, listed.Connections);
        Assert.Equal(["msgpack"], listed.Encodings);
        Assert.Equal(Environment.ProcessId, Assert.Single(listed.Peers).Pid);
        Assert.Equal((1, 1L), (listed.CallsInFlight, listed.CallsServed));
    }

    [Fact]
    public async Task BroService_answers_status_with_connections_services_calls_and_errors_by_code()
    {
        await using var gateway = await TestGateway.StartAsync(s => s with { RegistrationGrace = TimeSpan.Zero }, output: output);
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var idle = await RawPeer.ConnectAsync(gateway.Path);
        // Answered by its own connection: the gateway has it (connect() returns from the backlog, before that).
        await idle.SendAsync(TestCalls.Echo("idle", "ghost"), Json);
        Assert.Equal(ErrorCodes.NotConnected, (await idle.ReadAsync<ResponseMessage>()).Error?.Code);
        await caller.SendAsync(TestCalls.Echo("caller", "ghost"), Json);
        Assert.Equal(ErrorCodes.ServiceNotFound, (await caller.ReadAsync<ResponseMessage>()).Error?.Code);

        var status = Result<StatusReport>(await CallBroAsync(caller, "caller", BroService.Status));

        Assert.Equal(gateway.Path, status.SocketPath);
        Assert.Equal((2, 1), (status.Connections, status.Services));
        Assert.Equal(1, status.ErrorsByCode[ErrorCodes.ServiceNotFound]);
        // The status call itself is routed and in flight while it is answered.
        Assert.Equal((1L, 1), (status.CallsRouted, status.CallsInFlight));
    }

    [Fact]
    public async Task BroService_answers_a_MessagePack_caller_in_MessagePack()
    {
        await using var gateway = await TestGateway.StartAsync(output: output);
        await using var peer = await RawPeer.RegisterAsync(gateway.Path, "node-peer", BroEncoding.MessagePack);
        var call = Messages.BuildCall("node-peer", BroService.Name, BroService.Ping, null, CallContexts.Create("node-peer", TimeSpan.FromSeconds(30)));

        await peer.SendAsync(call, BroEncoding.MessagePack);
        var payload = await peer.ReadPayloadAsync();

        Assert.Equal(BroEncoding.MessagePack, Bro.Codecs.EncodingDetector.Detect(payload));
        var response = (ResponseMessage)Bro.Codecs.MessageCodecs.MessagePack.Decode(payload);
        Assert.Equal(GatewaySettings.Default.GatewayName, Result<PingReply>(response).Gateway);
    }

    [Fact]
    public async Task BroService_answers_an_unknown_method_with_METHOD_NOT_FOUND()
    {
        await using var gateway = await TestGateway.StartAsync(output: output);
        await using var peer = await RawPeer.RegisterAsync(gateway.Path, "probe");

        var response = await CallBroAsync(peer, "probe", "reboot");

        Assert.Equal((ResponseStatus.Error, ErrorCodes.MethodNotFound), (response.Status, response.Error?.Code));
        Assert.Contains("ping, status, services, monitor", response.Error!.Message);
    }

    [Fact]
    public async Task A_REGISTER_of_the_reserved_name_bro_is_refused_CONNECTION_FAILED_and_closed()
    {
        await using var gateway = await TestGateway.StartAsync(output: output);
        await using var impostor = await RawPeer.ConnectAsync(gateway.Path);

        await impostor.SendAsync(new RegisterMessage(BroService.Name, ["ping"]), Json);
        var error = await impostor.ReadAsync<ErrorMessage>();

        Assert.Equal(ErrorCodes.ConnectionFailed, error.Error.Code);
        Assert.Contains("'bro' is reserved", error.Error.Message);
        Assert.True(await impostor.WaitClosedAsync(), "the impostor's connection stays open");
        await using var probe = await RawPeer.RegisterAsync(gateway.Path, "probe");
        Assert.Equal(ResponseStatus.Success, (await CallBroAsync(probe, "probe", BroService.Ping)).Status);
    }

    [Fact]
    public async Task The_policy_applies_to_calls_to_bro_as_to_any_service()
    {
        await using var gateway = await TestGateway.StartAsync(s => GatewaySettings.Create(ConfigurationFactory.ParseString(
                $"bro.gateway.policy.rules {{ all {{ uids = [{ThisProcess.Credentials.Uid}], register = [\"*\"], call = [\"users\"] }} }}"))
            with { SocketPath = s.SocketPath }, output: output);
        await using var peer = await RawPeer.RegisterAsync(gateway.Path, "probe");

        var response = await CallBroAsync(peer, "probe", BroService.Status);

        Assert.Equal((ResponseStatus.Error, ErrorCodes.Unauthorized), (response.Status, response.Error?.Code));
        Assert.Contains("call 'bro'", response.Error!.Message);
    }

    [Fact]
    public async Task BroService_monitor_poll_waiting_is_answered_by_the_call_routed_meanwhile_then_by_its_response()
    {
        await using var gateway = await TestGateway.StartAsync(output: output);
        await using var monitor = await RawPeer.RegisterAsync(gateway.Path, "monitor");
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var order = await RawPeer.RegisterAsync(gateway.Path, "order");
        var start = Result<MonitorBatch>(await CallBroAsync(monitor, "monitor", BroService.Monitor, new MonitorQuery(WaitMs: 0)));
        Assert.Empty(start.Records);

        var poll = CallBroAsync(monitor, "monitor", BroService.Monitor, new MonitorQuery(start.Cursor, WaitMs: 20_000));
        var call = TestCalls.Echo("caller", "order");
        await caller.SendAsync(call, Json);
        var seen = Result<MonitorBatch>(await poll.WaitAsync(TimeSpan.FromSeconds(10)));

        var record = Assert.Single(seen.Records);
        Assert.Equal(("CALL", call.Id, "caller", "order", "echo"), (record.Type, record.Id, record.From, record.To, record.Method));
        Assert.Equal((call.Context.Root, call.Context.Depth), (record.Root, record.Depth.GetValueOrDefault()));

        poll = CallBroAsync(monitor, "monitor", BroService.Monitor, new MonitorQuery(seen.Cursor, WaitMs: 20_000));
        await order.SendAsync(Messages.BuildErrorResponse(await order.ReadAsync<CallMessage>(), new ErrorInfo("no", "USER_NOT_FOUND")), Json);
        var answered = Assert.Single(Result<MonitorBatch>(await poll.WaitAsync(TimeSpan.FromSeconds(10))).Records);

        Assert.Equal(("RESPONSE", call.Id, "order", "caller", "echo"), (answered.Type, answered.Id, answered.From, answered.To, answered.Method));
        Assert.Equal(("error", "USER_NOT_FOUND", false), (answered.Status, answered.Code, answered.ByGateway));
        Assert.NotNull(answered.LatencyMs);
    }

    [Fact]
    public async Task BroService_monitor_answers_an_empty_batch_when_its_wait_ends_and_ignores_other_services_when_filtered()
    {
        await using var gateway = await TestGateway.StartAsync(output: output);
        await using var monitor = await RawPeer.RegisterAsync(gateway.Path, "monitor");
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var order = await RawPeer.RegisterAsync(gateway.Path, "order");
        var start = Result<MonitorBatch>(await CallBroAsync(monitor, "monitor", BroService.Monitor, new MonitorQuery(WaitMs: 0)));

        var poll = CallBroAsync(monitor, "monitor", BroService.Monitor, new MonitorQuery(start.Cursor, "billing", WaitMs: 500));
        await caller.SendAsync(TestCalls.Echo("caller", "order"), Json);
        var batch = Result<MonitorBatch>(await poll.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Empty(batch.Records);
        Assert.True(batch.Cursor > start.Cursor, "the cursor did not move past the record it filtered out");
    }
}
