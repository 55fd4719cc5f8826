using System.Buffers.Binary;
using System.Text;
using Bro.Protocol;
using Xunit;
using Bro.Testing;

namespace Bro.Actors.Tests.Integration;

/// <summary>
/// Bad input gets a clear error with the protocol's codes and harms nobody else: the offending
/// connection stays usable where it can, and other connections never notice.
/// </summary>
public sealed class GatewayBadInputSpec(Xunit.Abstractions.ITestOutputHelper output)
{
    private static byte[] Frame(string json) => Frames.Frame(Encoding.UTF8.GetBytes(json));

    private static async Task ExpectRoutedAsync(RawPeer caller, RawPeer callee)
    {
        var call = TestCalls.Echo("caller", "callee");
        await caller.SendAsync(call, BroEncoding.Json);
        Assert.Equal(call.Id, (await callee.ReadAsync<CallMessage>()).Id);
    }

    [Theory]
    [InlineData("{\"type\":\"CALL\",", ErrorCodes.DeserializationFailed)]
    [InlineData("{\"type\":\"FROB\"}", ErrorCodes.InvalidMessage)]
    [InlineData("{\"type\":\"CALL\",\"id\":\"x\"}", ErrorCodes.InvalidMessage)]
    [InlineData("{\"type\":\"REGISTER_ACK\"}", ErrorCodes.InvalidMessage)]
    [InlineData("{}", ErrorCodes.InvalidMessage)]
    public async Task A_bad_frame_gets_an_ERROR_and_the_connection_stays_usable(string payload, string code)
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee");

        await caller.WriteAsync(Frame(payload));

        var error = await caller.ReadAsync<ErrorMessage>();
        Assert.Equal(code, error.Error.Code);
        Assert.NotNull(error.Timestamp);
        await ExpectRoutedAsync(caller, callee);
    }

    // CALLs that name their id, caller and target but are wrong in another way: a depth that is
    // not a number, a chain that is not a list.
    [Theory]
    [InlineData(BroEncoding.Json, """{"type":"CALL","id":"c-1","from":"caller","to":"callee","method":"m","context":{"root":"r","chain":["caller"],"depth":"x","deadline":1}}""")]
    [InlineData(BroEncoding.MessagePack, """{"type":"CALL","id":"c-1","from":"caller","to":"callee","method":"m","context":{"root":"r","chain":{},"depth":1,"deadline":1}}""")]
    public async Task A_CALL_with_a_readable_id_but_a_bad_context_gets_an_error_RESPONSE_with_its_id(BroEncoding encoding, string json)
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller", encoding);
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee");

        var payload = encoding == BroEncoding.Json
            ? Encoding.UTF8.GetBytes(json)
            : MessagePack.MessagePackSerializer.ConvertFromJson(json);
        await caller.WriteAsync(Frames.Frame(payload));

        var response = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal(("c-1", "callee", "caller", ResponseStatus.Error, ErrorCodes.InvalidMessage),
            (response.Id, response.From, response.To, response.Status, response.Error!.Code));
        Assert.Contains("context", response.Error.Message);
        Assert.Equal(1, (await gateway.Gateway.GetStatusAsync()).ErrorsByCode[ErrorCodes.InvalidMessage]);
    }

    // A CALL without a deadline (ipc-bro's --timeout default, a hand-written peer) is bounded by
    // request-timeout, and its target is told so; without any context its chain starts here.
    [Theory]
    [InlineData(BroEncoding.Json, """{"type":"CALL","id":"c-1","from":"caller","to":"callee","method":"m","params":{"n":1},"context":{"root":"r","chain":["caller"],"depth":1}}""")]
    [InlineData(BroEncoding.MessagePack, """{"type":"CALL","id":"c-1","from":"caller","to":"callee","method":"m","params":{"n":1}}""")]
    public async Task A_CALL_without_a_deadline_reaches_its_target_with_the_request_timeout_and_is_answered(BroEncoding encoding, string json)
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller", encoding);
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee", encoding);
        var payload = encoding == BroEncoding.Json
            ? Encoding.UTF8.GetBytes(json)
            : MessagePack.MessagePackSerializer.ConvertFromJson(json);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        await caller.WriteAsync(Frames.Frame(payload));

        var call = await callee.ReadAsync<CallMessage>();
        var timeout = (long)gateway.Gateway.Settings.RequestTimeout.TotalMilliseconds;
        Assert.InRange(call.Context.Deadline, before + timeout, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + timeout);
        Assert.Equal(("c-1", 1, """{"n":1}"""), (call.Id, call.Context.Depth, call.Params!.ToJsonString()));
        await callee.SendAsync(Messages.BuildSuccessResponse(call, data: RawValue.FromObject(new { ok = true }, encoding)), encoding);
        var response = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal(("c-1", ResponseStatus.Success), (response.Id, response.Status));
    }

    [Fact]
    public async Task A_payload_in_neither_encoding_gets_DESERIALIZATION_FAILED()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var peer = await RawPeer.ConnectAsync(gateway.Path);

        await peer.WriteAsync(Frames.Frame("hello"u8));

        var error = await peer.ReadAsync<ErrorMessage>();
        Assert.Equal(ErrorCodes.DeserializationFailed, error.Error.Code);
        Assert.Contains("5-byte", error.Error.Message);
    }

    [Fact]
    public async Task A_CALL_before_REGISTER_is_answered_with_an_error_RESPONSE()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var peer = await RawPeer.ConnectAsync(gateway.Path);

        var call = TestCalls.Echo("anonymous", "callee");
        await peer.SendAsync(call, BroEncoding.Json);

        var response = await peer.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, ResponseStatus.Error, ErrorCodes.NotConnected), (response.Id, response.Status, response.Error!.Code));
    }

    [Fact]
    public async Task An_oversized_frame_gets_INVALID_MESSAGE_and_only_that_connection_is_closed()
    {
        await using var gateway = await TestGateway.StartAsync(s => s with { MaxFrameSize = 64 * 1024 }, output: output);
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee");
        await using var offender = await RawPeer.RegisterAsync(gateway.Path, "offender");

        var gone = gateway.DisconnectionOf("offender");

        // Announces 2 GiB: refused on the prefix alone, nothing of that size is allocated.
        var prefix = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, 0x7FFF_FFFF);
        await offender.WriteAsync(prefix);

        var error = await offender.ReadAsync<ErrorMessage>();
        Assert.Equal(ErrorCodes.InvalidMessage, error.Error.Code);
        Assert.Contains("65536", error.Error.Message);
        Assert.True(await offender.WaitClosedAsync(), "the offender's connection stays open");
        await gone;
        await ExpectRoutedAsync(caller, callee);
        Assert.False(await gateway.Gateway.IsServiceConnectedAsync("offender"));
    }

    [Fact]
    public async Task A_peer_that_stops_reading_is_disconnected_and_its_callers_are_told()
    {
        await using var gateway = await TestGateway.StartAsync(s => s with
        {
            OutboundQueueLimit = 1024 * 1024,
            SlowConsumerTimeout = TimeSpan.FromMilliseconds(500),
            PendingSweepInterval = TimeSpan.FromMilliseconds(50),
        }, output: output);
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var stalled = await RawPeer.RegisterAsync(gateway.Path, "stalled");

        // The stalled peer reads nothing: the socket buffers fill, then its queue (a quarter of
        // 1 MiB slows the caller down), well before the 1000 calls of 16 KiB are sent; with no
        // write progress for the slow-consumer timeout it is dropped.
        var gone = gateway.DisconnectionOf("stalled");
        var blob = new string('x', 16 * 1024);
        var calls = Enumerable.Range(0, 1000)
            .Select(_ => Messages.BuildCall("caller", "stalled", "echo", RawValue.FromObject(new { blob }, BroEncoding.Json),
                CallContexts.Create("caller", TimeSpan.FromSeconds(30))))
            .ToArray();
        var sending = Task.Run(async () =>
        {
            foreach (var call in calls)
                await caller.SendAsync(call, BroEncoding.Json);
        });

        // Calls sent while its full queue refuses them are answered SERVICE_BUSY; those it held
        // when it was dropped, CONNECTION_LOST.
        ResponseMessage answer;
        do
        {
            answer = await caller.ReadAsync<ResponseMessage>();
            Assert.Contains(answer.Id, calls.Select(c => c.Id));
            Assert.Contains(answer.Error!.Code, new[] { ErrorCodes.ServiceBusy, ErrorCodes.ConnectionLost });
        }
        while (answer.Error.Code != ErrorCodes.ConnectionLost);
        await sending;
        await gone;
        Assert.False(await gateway.Gateway.IsServiceConnectedAsync("stalled"));
    }
}
