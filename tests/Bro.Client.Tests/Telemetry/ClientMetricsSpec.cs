using Bro.Client.Telemetry;
using Bro.Client.Tests.Support;
using Bro.Protocol;
using Xunit;
using Xunit.Abstractions;
using Bro.Testing;

namespace Bro.Client.Tests.Telemetry;

/// <summary>The <c>Bro.Client</c> meter, read through a <see cref="System.Diagnostics.Metrics.MeterListener"/> after real calls.</summary>
public sealed class ClientMetricsSpec(ITestOutputHelper output) : ClientSpec(output)
{
    // Names no other spec uses: the meter is shared by every client in the process.
    private const string Caller = "metered-caller";
    private const string Callee = "metered-callee";

    [Fact]
    public async Task Calls_are_counted_and_timed_by_target_method_and_outcome_and_handlers_are_timed()
    {
        using var capture = new MeterCapture(ClientMeter.Name);
        await ConnectedClient(Callee, c =>
        {
            c.RegisterMethod<string, string>("hello", (name, _) => Task.FromResult($"Hello, {name}"));
            c.RegisterMethod<object, string>("fail", (_, _) => throw new BroException("NOPE", "refused on purpose"));
        });
        var caller = await ConnectedClient(Caller);

        Assert.Equal("Hello, a", await caller.CallAsync<string>(Callee, "hello", "a").WaitAsync(Patience));
        Assert.Equal("Hello, b", await caller.CallAsync<string>(Callee, "hello", "b").WaitAsync(Patience));
        Assert.Equal("NOPE", (await Fails(caller.CallAsync<string>(Callee, "fail"))).Code);
        Assert.Equal(ErrorCodes.MethodNotFound, (await Fails(caller.CallAsync<string>(Callee, "missing"))).Code);

        // Recorded before the caller's task completes: all four are in.
        IEnumerable<CapturedMeasurement> Of(string instrument, string method, string outcome) =>
            capture.Recorded(instrument).Where(m => m.Tag(ClientMeter.ServiceTag) == Caller && m.Tag("rpc.service") == Callee
                && m.Tag("rpc.method") == method && m.Tag(ClientMeter.OutcomeTag) == outcome);
        Assert.Equal(2, Of("bro.client.calls", "hello", ClientMeter.Success).Sum(m => m.Value));
        Assert.Equal(1, Of("bro.client.calls", "fail", "NOPE").Sum(m => m.Value));
        Assert.Equal(1, Of("bro.client.calls", "missing", ErrorCodes.MethodNotFound).Sum(m => m.Value));
        Assert.Equal(2, Of("bro.client.call.duration", "hello", ClientMeter.Success).Count());
        Assert.All(capture.Recorded("bro.client.call.duration").Where(m => m.Tag(ClientMeter.ServiceTag) == Caller),
            d => Assert.InRange(d.Value, double.Epsilon, Patience.TotalSeconds));

        // A handler is timed once its RESPONSE is written, which may be after the caller resumed.
        IReadOnlyList<CapturedMeasurement> Handled() =>
            [.. capture.Recorded("bro.client.handler.duration").Where(m => m.Tag(ClientMeter.ServiceTag) == Callee)];
        await AwaitConditionAsync(() => Task.FromResult(Handled().Count == 4), Patience);
        Assert.Equal(
            ["fail:NOPE", "hello:success", "hello:success", $"missing:{ErrorCodes.MethodNotFound}"],
            Handled().Select(m => $"{m.Tag("rpc.method")}:{m.Tag(ClientMeter.OutcomeTag)}").Order());
    }

    [Fact]
    public async Task A_call_left_unanswered_is_counted_with_the_error_code_its_caller_got()
    {
        using var capture = new MeterCapture(ClientMeter.Name);
        var never = new TaskCompletionSource<string>();
        await ConnectedClient("metered-sleeper", c => c.RegisterMethod<object, string>("wait", (_, _) => never.Task));
        var caller = await ConnectedClient("metered-impatient");

        var error = await Fails(caller.CallAsync<string>("metered-sleeper", "wait",
            options: new CallOptions { Timeout = TimeSpan.FromMilliseconds(100) }));

        // The client's own timeout or the gateway's deadline (the same instant): TIMEOUT either way.
        Assert.Equal(ErrorCodes.Timeout, error.Code);
        var call = Assert.Single(capture.Recorded("bro.client.calls"), m => m.Tag(ClientMeter.ServiceTag) == "metered-impatient");
        Assert.Equal(error.Code, call.Tag(ClientMeter.OutcomeTag));
        never.TrySetResult("too late");
    }

    [Fact]
    public async Task A_connection_registered_again_after_a_gateway_restart_counts_one_reconnect()
    {
        using var capture = new MeterCapture(ClientMeter.Name);
        var client = await ConnectedClient("metered-reconnecting");
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Disconnected += (_, _) => lost.TrySetResult();
        double Reconnects() => capture.Recorded("bro.client.reconnects")
            .Where(m => m.Tag(ClientMeter.ServiceTag) == "metered-reconnecting").Sum(m => m.Value);
        Assert.Equal(0, Reconnects());

        await Gateway.StopAsync();
        await lost.Task.WaitAsync(Patience);
        await Gateway.RestartAsync();

        await AwaitConditionAsync(() => Task.FromResult(Reconnects() == 1), Patience);
        Assert.True(client.IsConnected);
    }
}
