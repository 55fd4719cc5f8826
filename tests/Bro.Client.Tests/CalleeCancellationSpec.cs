using System.Diagnostics;
using System.Net.Sockets;
using Bro.Client.Contracts;
using Bro.Client.Tests.Support;
using Bro.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Client.Tests;

/// <summary>
/// Cancellation that reaches the callee, end to end against a real gateway: a handler's token
/// fires when its caller cancels, disconnects or runs out of time, nested calls stop with their
/// handler, a cancelled call's late answer goes nowhere, and a peer that did not announce the
/// feature (a Node ipc-bro client) never sees a CANCEL. The cancel-to-handler latency is printed,
/// not asserted: the machine is shared.
/// </summary>
public sealed class CalleeCancellationSpec(ITestOutputHelper output) : ClientSpec(output)
{
    private readonly ITestOutputHelper _output = output;

    /// <summary>A handler that waits for its token and records when it saw it fire.</summary>
    private sealed class WaitingHandler
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The <see cref="Stopwatch"/> timestamp at which the handler saw its token fire.</summary>
        public TaskCompletionSource<long> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<int> Wait(CancellationToken token)
        {
            Started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            catch (OperationCanceledException)
            {
                Cancelled.TrySetResult(Stopwatch.GetTimestamp());
                throw;
            }

            return 0;
        }
    }

    private void Report(string what, long from, long seen) =>
        _output.WriteLine($"{what} -> handler token fired: {Stopwatch.GetElapsedTime(from, seen).TotalMilliseconds:F2} ms");

    [Fact]
    public async Task A_callers_cancellation_fires_the_callees_handler_token_and_the_late_answer_goes_nowhere()
    {
        var handler = new WaitingHandler();
        var user = await ConnectedClient("user", c =>
        {
            c.RegisterMethod<object, int>("wait", (_, _, token) => handler.Wait(token));
            c.RegisterMethod<object, string>("ping", (_, _) => Task.FromResult("pong"));
        });
        var executed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        user.MethodExecuted += (_, e) =>
        {
            if (e.Method == "wait")
                executed.TrySetResult();
        };
        var order = await ConnectedClient("order");
        var unmatched = new List<string>();
        order.Log += (_, e) =>
        {
            lock (unmatched)
            {
                if (e.Message.Contains("matches no pending call", StringComparison.Ordinal))
                    unmatched.Add(e.Message);
            }
        };
        using var cancellation = new CancellationTokenSource();

        var call = order.CallAsync<int>("user", "wait", options: new CallOptions { CancellationToken = cancellation.Token });
        await handler.Started.Task.WaitAsync(Patience);
        var cancelledAt = Stopwatch.GetTimestamp();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Patience));
        Report("caller's cancel", cancelledAt, await handler.Cancelled.Task.WaitAsync(Patience));

        // The handler's error answer was written before ping's: once ping is answered, the
        // gateway has dropped it, and the caller was sent nothing for the cancelled call.
        await executed.Task.WaitAsync(Patience);
        Assert.Equal("pong", await order.CallAsync<string>("user", "ping").WaitAsync(Patience));
        var status = await Gateway.Gateway.GetStatusAsync();
        Assert.Equal((0, 1L), (status.PendingCalls, status.ResponsesDropped));
        Assert.Empty(status.ErrorsByCode);
        lock (unmatched)
            Assert.Empty(unmatched);
    }

    [Fact]
    public async Task A_callers_disconnect_fires_the_callees_handler_token()
    {
        var handler = new WaitingHandler();
        await ConnectedClient("user", c => c.RegisterMethod<object, int>("wait", (_, _, token) => handler.Wait(token)));
        var order = await ConnectedClient("order");

        var call = order.CallAsync<int>("user", "wait");
        await handler.Started.Task.WaitAsync(Patience);
        var disconnectedAt = Stopwatch.GetTimestamp();
        await order.DisconnectAsync();

        Report("caller's disconnect", disconnectedAt, await handler.Cancelled.Task.WaitAsync(Patience));
        Assert.Equal(ErrorCodes.NotConnected, (await Fails(call)).Code);
    }

    [Fact]
    public async Task A_caller_that_hangs_up_without_a_CANCEL_fires_the_callees_handler_token()
    {
        // A crashed caller, or a Node one: it closes its socket with a call in flight and says nothing.
        var handler = new WaitingHandler();
        await ConnectedClient("user", c => c.RegisterMethod<object, int>("wait", (_, _, token) => handler.Wait(token)));
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(Gateway.Path));
        using var node = new FakeIpcBroGateway.Peer(socket);
        using var timeout = new CancellationTokenSource(Patience);
        await node.WriteAsync("""{"type":"REGISTER","serviceName":"node-caller","methods":[]}""", timeout.Token);
        Assert.Equal("REGISTER_ACK", (await node.ReadAsync(timeout.Token)).GetProperty("type").GetString());
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30).ToUnixTimeMilliseconds();
        await node.WriteAsync($$$"""{"type":"CALL","id":"n-1","from":"node-caller","to":"user","method":"wait","params":null,"context":{"root":"r-1","chain":["node-caller","user"],"depth":2,"deadline":{{{deadline}}}}}""", timeout.Token);
        await handler.Started.Task.WaitAsync(Patience);

        var hungUpAt = Stopwatch.GetTimestamp();
        node.Dispose();

        Report("caller's hang-up", hungUpAt, await handler.Cancelled.Task.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_CANCEL_that_overtakes_a_CALL_waiting_for_a_handler_slot_cancels_its_token_before_it_starts()
    {
        // Two slots, both taken: the third CALL waits in the queue (which, not full, keeps the
        // socket read, so the CANCELs behind it are read).
        var first = new WaitingHandler();
        var second = new WaitingHandler();
        var queuedToken = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await ConnectedClient("user", c =>
        {
            c.RegisterMethod<object, int>("first", (_, _, token) => first.Wait(token));
            c.RegisterMethod<object, int>("second", (_, _, token) => second.Wait(token));
            c.RegisterMethod<object, int>("queued", (_, _, token) =>
            {
                queuedToken.TrySetResult(token.IsCancellationRequested);
                return Task.FromResult(0);
            });
        }, options => options with { MaxConcurrentHandlers = 2 });
        var order = await ConnectedClient("order");
        using var cancelFirst = new CancellationTokenSource();
        using var cancelSecond = new CancellationTokenSource();
        using var cancelQueued = new CancellationTokenSource();
        var calls = new List<Task>
        {
            order.CallAsync<int>("user", "first", options: new CallOptions { CancellationToken = cancelFirst.Token }),
            order.CallAsync<int>("user", "second", options: new CallOptions { CancellationToken = cancelSecond.Token }),
        };
        await Task.WhenAll(first.Started.Task, second.Started.Task).WaitAsync(Patience);
        calls.Add(order.CallAsync<int>("user", "queued", options: new CallOptions { CancellationToken = cancelQueued.Token }));

        // The queued call's CANCEL goes first; the one that frees a slot follows it on the same
        // connection, so the queued handler starts only after its CANCEL was read.
        await cancelQueued.CancelAsync();
        await cancelFirst.CancelAsync();

        await first.Cancelled.Task.WaitAsync(Patience);
        Assert.True(await queuedToken.Task.WaitAsync(Patience));
        await cancelSecond.CancelAsync();
        await second.Cancelled.Task.WaitAsync(Patience);
        foreach (var call in calls)
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_handlers_token_fires_at_the_calls_deadline()
    {
        var handler = new WaitingHandler();
        await ConnectedClient("user", c => c.RegisterMethod("wait", async (_, _, token) => (object?)await handler.Wait(token)));
        var order = await ConnectedClient("order");

        var call = order.CallAsync<int>("user", "wait", options: new CallOptions { Timeout = TimeSpan.FromMilliseconds(200) });

        await handler.Cancelled.Task.WaitAsync(Patience);
        Assert.Equal(ErrorCodes.Timeout, (await Fails(call)).Code);
    }

    [Fact]
    public async Task A_chain_of_three_stops_end_to_end_when_the_first_caller_cancels()
    {
        // order and user take no token: their nested calls inherit their handler's all the same.
        var role = new WaitingHandler();
        BroClient user = null!, order = null!;
        var nestedCancelled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await ConnectedClient("role", c => c.RegisterMethod<object, int>("getRole", (_, _, token) => role.Wait(token)));
        user = await ConnectedClient("user", c => c.RegisterMethod<object, int>("getUser", async (_, _) =>
        {
            try
            {
                return await user.CallAsync<int>("role", "getRole");
            }
            catch (OperationCanceledException)
            {
                nestedCancelled.TrySetResult("user -> role");
                throw;
            }
        }));
        order = await ConnectedClient("order", c => c.RegisterMethod<object, int>("getOrder", (_, _) => order.CallAsync<int>("user", "getUser")));
        var shop = await ConnectedClient("shop");
        using var cancellation = new CancellationTokenSource();

        var call = shop.CallAsync<int>("order", "getOrder", options: new CallOptions { CancellationToken = cancellation.Token });
        await role.Started.Task.WaitAsync(Patience);
        var cancelledAt = Stopwatch.GetTimestamp();
        await cancellation.CancelAsync();

        Report("shop's cancel, three hops", cancelledAt, await role.Cancelled.Task.WaitAsync(Patience));
        Assert.Equal("user -> role", await nestedCancelled.Task.WaitAsync(Patience));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Patience));
    }

    [BroService("stoppable-service")]
    public interface IStoppableService
    {
        Task<int> WaitAsync(CancellationToken ct);
    }

    private sealed class StoppableService(WaitingHandler handler) : IStoppableService
    {
        public Task<int> WaitAsync(CancellationToken ct) => handler.Wait(ct);
    }

    [Fact]
    public async Task A_typed_implementation_gets_the_calls_real_token()
    {
        var handler = new WaitingHandler();
        await ConnectedClient("stoppable-service", c => c.Serve<IStoppableService>(new StoppableService(handler)));
        var caller = await ConnectedClient("impatient");
        using var cancellation = new CancellationTokenSource();

        var call = caller.GetService<IStoppableService>().WaitAsync(cancellation.Token);
        await handler.Started.Task.WaitAsync(Patience);
        var cancelledAt = Stopwatch.GetTimestamp();
        await cancellation.CancelAsync();

        Report("typed caller's cancel", cancelledAt, await handler.Cancelled.Task.WaitAsync(Patience));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_peer_that_did_not_announce_the_feature_never_receives_CANCEL_and_its_late_answer_is_dropped()
    {
        // A Node ipc-bro client, as raw frames: REGISTER without metadata.
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(Gateway.Path));
        using var node = new FakeIpcBroGateway.Peer(socket);
        using var timeout = new CancellationTokenSource(Patience);
        await node.WriteAsync("""{"type":"REGISTER","serviceName":"node-service","methods":["wait","ping"]}""", timeout.Token);
        Assert.Equal("REGISTER_ACK", (await node.ReadAsync(timeout.Token)).GetProperty("type").GetString());
        var order = await ConnectedClient("order");
        using var cancellation = new CancellationTokenSource();

        var call = order.CallAsync<int>("node-service", "wait", options: new CallOptions { CancellationToken = cancellation.Token });
        var first = await node.ReadAsync(timeout.Token);
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Patience));
        var ping = order.CallAsync<string>("node-service", "ping");

        // The caller's CANCEL left before its next CALL: a CANCEL sent on would arrive first.
        var next = await node.ReadAsync(timeout.Token);
        Assert.Equal(("CALL", "ping"), (next.GetProperty("type").GetString(), next.GetProperty("method").GetString()));
        var firstId = first.GetProperty("id").GetString();
        await node.WriteAsync($$"""{"type":"RESPONSE","id":"{{firstId}}","from":"node-service","to":"order","status":"success","data":1}""", timeout.Token);
        await node.WriteAsync($$"""{"type":"RESPONSE","id":"{{next.GetProperty("id").GetString()}}","from":"node-service","to":"order","status":"success","data":"pong"}""", timeout.Token);

        Assert.Equal("pong", await ping.WaitAsync(Patience));
        var status = await Gateway.Gateway.GetStatusAsync();
        Assert.Equal((0, 1L), (status.PendingCalls, status.ResponsesDropped));
    }

    [Fact]
    public async Task A_client_announces_cancel_in_its_REGISTER_and_sends_no_CANCEL_to_an_ipc_bro_gateway()
    {
        await using var gateway = FakeIpcBroGateway.Start();
        using var timeout = new CancellationTokenSource(Patience);
        await using var client = new BroClient(new BroClientOptions
        {
            ServiceName = "order",
            GatewayPath = gateway.Path,
            HeartbeatInterval = TimeSpan.FromHours(1),
        });
        var connecting = client.ConnectAsync(timeout.Token);
        using var peer = await gateway.AcceptAsync(timeout.Token);
        var register = await peer.ReadAsync(timeout.Token);
        Assert.Equal(BroFeatures.Cancel, register.GetProperty("metadata").GetProperty(BroFeatures.MetadataKey)[0].GetString());
        await peer.WriteAsync("""{"type":"REGISTER_ACK"}""", timeout.Token);
        await connecting.WaitAsync(Patience);
        using var cancellation = new CancellationTokenSource();

        var call = client.CallAsync<int>("user", "wait", options: new CallOptions { CancellationToken = cancellation.Token });
        Assert.Equal("wait", (await peer.ReadAsync(timeout.Token)).GetProperty("method").GetString());
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Patience));
        _ = client.CallAsync<int>("user", "next");

        Assert.Equal("next", (await peer.ReadAsync(timeout.Token)).GetProperty("method").GetString());
    }
}
