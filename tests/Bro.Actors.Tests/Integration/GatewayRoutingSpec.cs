using System.Text;
using Bro.Protocol;
using Xunit;
using Bro.Testing;

namespace Bro.Actors.Tests.Integration;

/// <summary>The gateway routing real frames between raw socket peers.</summary>
public sealed class GatewayRoutingSpec
{
    private static CallMessage Call(string from, string to, object parameters, BroEncoding encoding, string method = "echo") =>
        Messages.BuildCall(from, to, method, RawValue.FromObject(parameters, encoding),
            CallContexts.Extend(CallContexts.Create(from, TimeSpan.FromSeconds(30)), to));

    [Theory]
    [InlineData(BroEncoding.Json, BroEncoding.MessagePack)]
    [InlineData(BroEncoding.MessagePack, BroEncoding.Json)]
    public async Task A_caller_and_a_callee_of_different_encodings_talk_through_the_gateway(BroEncoding callerEncoding, BroEncoding calleeEncoding)
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller", callerEncoding);
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee", calleeEncoding);

        var call = Call("caller", "callee", new { text = "héllo", n = 42, big = 1795618669149L, f = 1.5 }, callerEncoding);
        await caller.SendAsync(call, callerEncoding);

        var received = await callee.ReadAsync<CallMessage>();
        Assert.Equal(calleeEncoding, received.Params!.Encoding);
        Assert.Equal(call.Id, received.Id);
        Assert.Equal(call.Context.Root, received.Context.Root);
        Assert.Equal(call.Context.Deadline, received.Context.Deadline);
        Assert.Equal(call.Params!.ToJsonString(), received.Params.ToJsonString());

        await callee.SendAsync(Messages.BuildSuccessResponse(received, data: RawValue.FromObject(new { ok = true }, calleeEncoding)), calleeEncoding);
        var response = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal(call.Id, response.Id);
        Assert.Equal(ResponseStatus.Success, response.Status);
        Assert.Equal(callerEncoding, response.Data!.Encoding);
        Assert.Equal("""{"ok":true}""", response.Data.ToJsonString());
    }

    // A MessagePack extension value (fixext 1): JSON has no way to say it.
    private static readonly RawValue Extension = new(BroEncoding.MessagePack, new byte[] { 0xD4, 0x01, 0x00 });

    [Fact]
    public async Task A_CALL_the_callee_encoding_cannot_express_is_answered_SERIALIZATION_FAILED_at_once()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller", BroEncoding.MessagePack);
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee", BroEncoding.Json);

        var call = Call("caller", "callee", new { }, BroEncoding.MessagePack) with { Params = Extension };
        await caller.SendAsync(call, BroEncoding.MessagePack);

        var response = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, "callee", ErrorCodes.SerializationFailed), (response.Id, response.From, response.Error!.Code));
        Assert.Equal(0, (await gateway.Gateway.GetStatusAsync()).PendingCalls);
    }

    [Fact]
    public async Task A_CALL_that_transcoding_would_grow_past_max_frame_size_is_answered_SERIALIZATION_FAILED_and_not_delivered()
    {
        await using var gateway = await TestGateway.StartAsync(s => s with { MaxFrameSize = 64 * 1024 });
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller", BroEncoding.MessagePack);
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee", BroEncoding.Json);

        // 20,000 control bytes: ~20 KB of MessagePack, ~120 KB of JSON (each one is written \u0001).
        var call = Call("caller", "callee", new { s = new string('\u0001', 20_000) }, BroEncoding.MessagePack);
        await caller.SendAsync(call, BroEncoding.MessagePack);

        var response = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, "callee", ErrorCodes.SerializationFailed), (response.Id, response.From, response.Error!.Code));
        Assert.Contains("max-frame-size", response.Error.Message);
        var probe = Call("caller", "callee", new { }, BroEncoding.MessagePack);
        await caller.SendAsync(probe, BroEncoding.MessagePack);
        Assert.Equal(probe.Id, (await callee.ReadAsync<CallMessage>()).Id);
    }

    [Fact]
    public async Task A_RESPONSE_the_caller_encoding_cannot_express_becomes_a_SERIALIZATION_FAILED_error()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller", BroEncoding.Json);
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee", BroEncoding.MessagePack);

        var call = Call("caller", "callee", new { }, BroEncoding.Json);
        await caller.SendAsync(call, BroEncoding.Json);
        var received = await callee.ReadAsync<CallMessage>();
        await callee.SendAsync(Messages.BuildSuccessResponse(received, data: Extension), BroEncoding.MessagePack);

        var response = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, ResponseStatus.Error, ErrorCodes.SerializationFailed), (response.Id, response.Status, response.Error!.Code));
    }

    [Fact]
    public async Task A_one_MiB_payload_arrives_whole()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee");
        var blob = string.Create(1024 * 1024, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = (char)('a' + i % 26);
        });

        var frame = Frames.Serialize(Call("caller", "callee", new { blob }, BroEncoding.Json), BroEncoding.Json);
        await caller.WriteAsync(frame);

        Assert.Equal(frame.AsSpan(4).ToArray(), await callee.ReadPayloadAsync());
    }

    [Fact]
    public async Task A_frame_written_one_byte_at_a_time_is_routed()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee");

        var frame = Frames.Serialize(Call("caller", "callee", new { x = 1 }, BroEncoding.Json), BroEncoding.Json);
        for (var i = 0; i < frame.Length; i++)
            await caller.WriteAsync(frame.AsMemory(i, 1));

        Assert.Equal(frame.AsSpan(4).ToArray(), await callee.ReadPayloadAsync());
    }

    [Fact]
    public async Task Several_frames_in_one_write_are_all_routed_in_order()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller", BroEncoding.MessagePack);
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee", BroEncoding.MessagePack);

        var calls = Enumerable.Range(0, 5).Select(i => Call("caller", "callee", new { i }, BroEncoding.MessagePack)).ToArray();
        await caller.WriteAsync(calls.SelectMany(c => Frames.Serialize(c, BroEncoding.MessagePack)).ToArray());

        foreach (var call in calls)
            Assert.Equal(call.Id, (await callee.ReadAsync<CallMessage>()).Id);
    }

    [Fact]
    public async Task Calls_to_a_pool_are_spread_round_robin_and_answered_on_the_calling_connection()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var first = await RawPeer.RegisterAsync(gateway.Path, "worker");
        await using var second = await RawPeer.RegisterAsync(gateway.Path, "worker", poolIndex: 1);

        for (var i = 0; i < 4; i++)
            await caller.SendAsync(Call("caller", "worker", new { i }, BroEncoding.Json), BroEncoding.Json);

        var received = new[] { await first.ReadAsync<CallMessage>(), await first.ReadAsync<CallMessage>(),
            await second.ReadAsync<CallMessage>(), await second.ReadAsync<CallMessage>() };
        Assert.Equal(4, received.Select(c => c.Id).Distinct().Count());
        Assert.Equal(2, (await gateway.Gateway.GetServiceAsync("worker"))!.Connections);
    }

    [Fact]
    public async Task A_caller_whose_target_disconnects_mid_call_gets_CONNECTION_LOST_at_once()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        var callee = await RawPeer.RegisterAsync(gateway.Path, "callee");

        var call = Call("caller", "callee", new { }, BroEncoding.Json);
        await caller.SendAsync(call, BroEncoding.Json);
        await callee.ReadAsync<CallMessage>();
        await callee.DisposeAsync();

        var response = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal(call.Id, response.Id);
        Assert.Equal(ResponseStatus.Error, response.Status);
        Assert.Equal(ErrorCodes.ConnectionLost, response.Error!.Code);
    }

    [Fact]
    public async Task An_unknown_target_is_answered_with_SERVICE_NOT_FOUND_carrying_the_call_id()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller", BroEncoding.MessagePack);

        var call = Call("caller", "ghost", new { }, BroEncoding.MessagePack);
        await caller.SendAsync(call, BroEncoding.MessagePack);

        var response = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, "ghost", "caller", ErrorCodes.ServiceNotFound), (response.Id, response.From, response.To, response.Error!.Code));
        Assert.Equal(1, (await gateway.Gateway.GetStatusAsync()).ErrorsByCode[ErrorCodes.ServiceNotFound]);
    }

    [Fact]
    public async Task Status_and_service_info_describe_what_is_connected()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var peer = await RawPeer.RegisterAsync(gateway.Path, "svc");

        var status = await gateway.Gateway.GetStatusAsync();
        Assert.True(status.Running);
        Assert.Equal(gateway.Path, status.SocketPath);
        Assert.Equal(["svc"], status.Services);
        var info = await gateway.Gateway.GetServiceAsync("svc");
        Assert.Equal(("svc", "1.0.0", 1), (info!.Name, info.Version, info.Connections));
        Assert.Equal(["echo"], info.Methods);
        Assert.True(await gateway.Gateway.IsServiceConnectedAsync("svc"));
        Assert.False(await gateway.Gateway.IsServiceConnectedAsync("other"));
    }
}
