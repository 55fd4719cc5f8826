using Bro.Gateway.Tests.Support;
using Bro.Protocol;
using Xunit;

namespace Bro.Gateway.Tests.Integration;

/// <summary>
/// A sender whose frames fill a target's queue is slowed down (the gateway stops reading it);
/// the target that keeps reading is never dropped for someone else's burst.
/// </summary>
public sealed class GatewayFlowControlSpec
{
    private const BroEncoding Json = BroEncoding.Json;

    [Fact]
    public async Task A_burst_past_the_outbound_limit_slows_the_caller_and_every_call_is_answered()
    {
        // 64 calls of 1 MiB against an 8 MiB outbound limit: without flow control the echo
        // service's queue overflows and it is dropped (CONNECTION_LOST for the callers).
        await using var gateway = await TestGateway.StartAsync(s => s with { OutboundQueueLimit = 8 * 1024 * 1024 });
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "echo");
        var payload = new string('x', 1024 * 1024);
        var calls = Enumerable.Range(0, 64)
            .Select(_ => Messages.BuildCall("caller", "echo", "echo", RawValue.FromObject(payload, Json),
                CallContexts.Extend(CallContexts.Create("caller", TimeSpan.FromSeconds(60)), "echo")))
            .ToList();

        // The caller writes while it reads, as real clients do; its writes block while the
        // gateway holds it back.
        var writing = Task.Run(async () =>
        {
            foreach (var call in calls)
                await caller.SendAsync(call, Json);
        });
        var echoing = Task.Run(async () =>
        {
            for (var i = 0; i < calls.Count; i++)
            {
                var call = await callee.ReadAsync<CallMessage>();
                await callee.SendAsync(Messages.BuildSuccessResponse(call, data: call.Params), Json);
            }
        });

        var answered = new HashSet<string>();
        for (var i = 0; i < calls.Count; i++)
        {
            var response = await caller.ReadAsync<ResponseMessage>();
            Assert.True(response.Status == ResponseStatus.Success, $"call {i}: {response.Error?.Code} {response.Error?.Message}");
            answered.Add(response.Id);
        }

        await writing;
        await echoing;
        Assert.Equal(calls.Select(c => c.Id).ToHashSet(), answered);
        Assert.True(await gateway.Gateway.IsServiceConnectedAsync("echo"));
    }

    [Fact]
    public async Task A_target_that_stops_reading_is_dropped_after_the_slow_consumer_timeout_and_its_callers_go_on()
    {
        await using var gateway = await TestGateway.StartAsync(s => s with
        {
            OutboundQueueLimit = 8 * 1024 * 1024,
            SlowConsumerTimeout = TimeSpan.FromMilliseconds(500),
            PendingSweepInterval = TimeSpan.FromMilliseconds(50),
        });
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var stuck = await RawPeer.RegisterAsync(gateway.Path, "stuck"); // never reads
        await using var other = await RawPeer.RegisterAsync(gateway.Path, "other");
        var payload = new string('x', 1024 * 1024);
        var calls = Enumerable.Range(0, 16)
            .Select(_ => Messages.BuildCall("caller", "stuck", "echo", RawValue.FromObject(payload, Json),
                CallContexts.Extend(CallContexts.Create("caller", TimeSpan.FromSeconds(60)), "stuck")))
            .ToList();

        var writing = Task.Run(async () =>
        {
            foreach (var call in calls)
                await caller.SendAsync(call, Json);
        });

        // Every call is answered: CONNECTION_LOST for those delivered to the dropped service,
        // SERVICE_NOT_FOUND for those that arrive after it is gone.
        var answered = new HashSet<string>();
        for (var i = 0; i < calls.Count; i++)
        {
            var response = await caller.ReadAsync<ResponseMessage>();
            Assert.Contains(response.Error!.Code, new[] { ErrorCodes.ConnectionLost, ErrorCodes.ServiceNotFound });
            answered.Add(response.Id);
        }

        await writing;
        Assert.Equal(calls.Select(c => c.Id).ToHashSet(), answered);
        Assert.False(await gateway.Gateway.IsServiceConnectedAsync("stuck"));
        var next = Messages.BuildCall("caller", "other", "echo", null, CallContexts.Create("caller", TimeSpan.FromSeconds(30)));
        await caller.SendAsync(next, Json);
        Assert.Equal(next.Id, (await other.ReadAsync<CallMessage>()).Id);
    }
}
