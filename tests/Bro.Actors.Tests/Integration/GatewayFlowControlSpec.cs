using Bro.Protocol;
using Xunit;
using Bro.Testing;

namespace Bro.Actors.Tests.Integration;

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
        // service's queue overflows and it is dropped (CONNECTION_LOST for the callers). The
        // congestion timeout is long: this is about slowing the caller, and a loaded machine
        // may stall the echo for more than the default 50 ms.
        await using var gateway = await TestGateway.StartAsync(s => s with
        {
            OutboundQueueLimit = 8 * 1024 * 1024,
            CongestionTimeout = TimeSpan.FromSeconds(30),
        });
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
        var stuckDropped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gateway.Gateway.ServiceDisconnected += (_, e) =>
        {
            if (e.Name == "stuck")
                stuckDropped.TrySetResult();
        };
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
        // SERVICE_BUSY for those sent while its full queue refused them, SERVICE_NOT_FOUND for
        // those that arrive after it is gone.
        var answered = new HashSet<string>();
        for (var i = 0; i < calls.Count; i++)
        {
            var response = await caller.ReadAsync<ResponseMessage>();
            Assert.Contains(response.Error!.Code, new[] { ErrorCodes.ConnectionLost, ErrorCodes.ServiceBusy, ErrorCodes.ServiceNotFound });
            answered.Add(response.Id);
        }

        await writing;
        Assert.Equal(calls.Select(c => c.Id).ToHashSet(), answered);
        // Every call may be answered (SERVICE_BUSY) before the timeout passes: the drop comes then.
        await stuckDropped.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(await gateway.Gateway.IsServiceConnectedAsync("stuck"));
        var next = Messages.BuildCall("caller", "other", "echo", null, CallContexts.Create("caller", TimeSpan.FromSeconds(30)));
        await caller.SendAsync(next, Json);
        Assert.Equal(next.Id, (await other.ReadAsync<CallMessage>()).Id);
    }

    [Fact]
    public async Task A_target_that_stops_reading_holds_its_callers_calls_to_others_back_only_briefly_and_refuses_its_own_with_SERVICE_BUSY()
    {
        // The chaos run's finding: a caller held back for a full queue could not be read, so its
        // calls to healthy services waited unread until the slow reader was dropped.
        await using var gateway = await TestGateway.StartAsync(s => s with
        {
            OutboundQueueLimit = 8 * 1024 * 1024,
            SlowConsumerTimeout = TimeSpan.FromMinutes(5),
            CongestionTimeout = TimeSpan.FromMilliseconds(50),
        });
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var stuck = await RawPeer.RegisterAsync(gateway.Path, "stuck"); // never reads
        await using var other = await RawPeer.RegisterAsync(gateway.Path, "other");
        var stuckDropped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gateway.Gateway.ServiceDisconnected += (_, e) =>
        {
            if (e.Name == "stuck")
                stuckDropped.TrySetResult();
        };
        var payload = new string('x', 1024 * 1024);
        var toStuck = Enumerable.Range(0, 16)
            .Select(_ => Messages.BuildCall("caller", "stuck", "echo", RawValue.FromObject(payload, Json),
                CallContexts.Extend(CallContexts.Create("caller", TimeSpan.FromMinutes(1)), "stuck")))
            .ToList();
        foreach (var call in toStuck)
            await caller.SendAsync(call, Json);

        var next = TestCalls.Echo("caller", "other");
        await caller.SendAsync(next, Json);

        Assert.Equal(next.Id, (await other.ReadAsync<CallMessage>()).Id);
        var busy = await caller.ReadAsync<ResponseMessage>();
        Assert.Equal(ErrorCodes.ServiceBusy, busy.Error?.Code);
        Assert.Contains(busy.Id, toStuck.Select(c => c.Id));
        Assert.True(await gateway.Gateway.IsServiceConnectedAsync("stuck"));
    }

    [Fact]
    public async Task A_caller_that_reads_its_answers_slowly_slows_its_callee_and_is_not_dropped()
    {
        // RESPONSEs cannot be refused: the callee answering a slow reader is held back until it
        // drains, however long, instead of the answers piling up past the outbound limit (which
        // drops the reader). What the caller keeps sending meanwhile may get SERVICE_BUSY.
        await using var gateway = await TestGateway.StartAsync(s => s with
        {
            OutboundQueueLimit = 8 * 1024 * 1024,
            CongestionTimeout = TimeSpan.FromMilliseconds(50),
        });
        await using var caller = await RawPeer.RegisterAsync(gateway.Path, "caller");
        await using var callee = await RawPeer.RegisterAsync(gateway.Path, "echo");
        var payload = new string('x', 1024 * 1024);
        var calls = Enumerable.Range(0, 48)
            .Select(_ => Messages.BuildCall("caller", "echo", "echo", RawValue.FromObject(payload, Json),
                CallContexts.Extend(CallContexts.Create("caller", TimeSpan.FromMinutes(1)), "echo")))
            .ToList();
        var writing = Task.Run(async () =>
        {
            foreach (var call in calls)
                await caller.SendAsync(call, Json);
        });
        _ = Task.Run(async () =>
        {
            while (true)
            {
                var call = await callee.ReadAsync<CallMessage>();
                await callee.SendAsync(Messages.BuildSuccessResponse(call, data: call.Params), Json);
            }
        });

        var codes = new List<string>();
        for (var i = 0; i < calls.Count; i++)
        {
            await Task.Delay(20); // a slow reader
            var response = await caller.ReadAsync<ResponseMessage>();
            codes.Add(response.Status == ResponseStatus.Success ? "success" : response.Error!.Code!);
        }

        await writing;
        Assert.All(codes, code => Assert.Contains(code, new[] { "success", ErrorCodes.ServiceBusy }));
        Assert.Contains("success", codes);
        Assert.True(await gateway.Gateway.IsServiceConnectedAsync("caller"));
    }
}
