using Bro.Protocol;
using Bro.Telemetry;
using Xunit;
using Bro.Testing;

namespace Bro.Actors.Tests.Telemetry;

/// <summary>The <c>Bro.Gateway</c> meter, read through a <see cref="System.Diagnostics.Metrics.MeterListener"/> after real calls.</summary>
public sealed class GatewayMetricsSpec
{
    private static CallMessage Call(string from, string to, string method = "echo") =>
        Messages.BuildCall(from, to, method, RawValue.FromObject(new { n = 1 }, BroEncoding.Json),
            CallContexts.Extend(CallContexts.Create(from, TimeSpan.FromSeconds(30)), to));

    [Fact]
    public async Task The_gateway_meter_counts_calls_responses_errors_by_code_bytes_and_times_each_answered_call()
    {
        using var capture = new MeterCapture(GatewayMeter.Name);
        // No registration grace: a CALL to nobody is answered SERVICE_NOT_FOUND at once.
        await using var gateway = await TestGateway.StartAsync(s => s with { RegistrationGrace = TimeSpan.Zero });
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "callee");

        const int Calls = 3;
        for (var i = 0; i < Calls; i++)
        {
            await caller.SendAsync(Call("caller", "callee"), BroEncoding.Json);
            var received = await callee.ReadAsync<CallMessage>();
            await callee.SendAsync(Messages.BuildSuccessResponse(received, data: null), BroEncoding.Json);
            Assert.Equal(ResponseStatus.Success, (await caller.ReadAsync<ResponseMessage>()).Status);
        }

        await caller.SendAsync(Call("caller", "nobody"), BroEncoding.Json);
        Assert.Equal(ErrorCodes.ServiceNotFound, (await caller.ReadAsync<ResponseMessage>()).Error!.Code);
        // One left in flight: the callee holds it unanswered.
        await caller.SendAsync(Call("caller", "callee"), BroEncoding.Json);
        await callee.ReadAsync<CallMessage>();

        var observed = capture.Observe().Where(m => m.Tag(GatewayMeter.SocketTag) == gateway.Path).ToArray();
        double Observed(string instrument, string? tag = null, string? value = null) =>
            Assert.Single(observed, m => m.Instrument == instrument && (tag is null || m.Tag(tag) == value)).Value;

        Assert.Equal(Calls + 1, Observed("bro.gateway.calls.routed"));
        Assert.Equal(Calls, Observed("bro.gateway.responses.routed"));
        Assert.Equal(0, Observed("bro.gateway.responses.dropped"));
        Assert.Equal(1, Observed("bro.gateway.calls.in_flight"));
        Assert.Equal(1, Observed("bro.gateway.errors", "code", ErrorCodes.ServiceNotFound));
        Assert.Equal(2, Observed("bro.gateway.connections"));
        Assert.Equal(2, Observed("bro.gateway.services"));
        // At least the REGISTERs and CALLs read, and the ACKs, CALLs and RESPONSEs written.
        Assert.True(Observed("bro.gateway.io", "network.io.direction", "receive") > 200);
        Assert.True(Observed("bro.gateway.io", "network.io.direction", "transmit") > 200);

        // Recorded before the RESPONSE is flushed to the caller: every answered call is in by now.
        var durations = capture.Recorded("bro.gateway.call.duration").Where(m => m.Tag(GatewayMeter.SocketTag) == gateway.Path).ToArray();
        Assert.Equal(Calls, durations.Length);
        Assert.All(durations, d =>
        {
            Assert.Equal("callee", d.Tag("rpc.service"));
            Assert.InRange(d.Value, double.Epsilon, 10);
        });
    }

    [Fact]
    public async Task Two_gateways_in_one_process_are_told_apart_by_their_socket_tag()
    {
        using var capture = new MeterCapture(GatewayMeter.Name);
        await using var first = await TestGateway.StartAsync();
        await using var second = await TestGateway.StartAsync();
        await using var peer = await RawPeer.RegisterAsync(first.Path, "only-on-the-first");

        var services = capture.Observe().Where(m => m.Instrument == "bro.gateway.services").ToArray();

        Assert.Equal(1, Assert.Single(services, m => m.Tag(GatewayMeter.SocketTag) == first.Path).Value);
        Assert.Equal(0, Assert.Single(services, m => m.Tag(GatewayMeter.SocketTag) == second.Path).Value);
    }

    [Fact]
    public async Task A_stopped_gateway_reports_nothing_more()
    {
        using var capture = new MeterCapture(GatewayMeter.Name);
        var gateway = await TestGateway.StartAsync();
        Assert.Contains(capture.Observe(), m => m.Tag(GatewayMeter.SocketTag) == gateway.Path);

        await gateway.DisposeAsync();

        Assert.DoesNotContain(capture.Observe(), m => m.Tag(GatewayMeter.SocketTag) == gateway.Path);
    }
}
