using Bro.Client.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Client.Tests;

/// <summary>
/// <see cref="BroClientOptions.MaxConcurrentHandlers"/>: a callee runs at most that many handlers,
/// queues as many CALLs again, then stops reading its socket; nothing is dropped and nested calls
/// still get their responses.
/// </summary>
public sealed class MaxConcurrentHandlersSpec(ITestOutputHelper output) : ClientSpec(output)
{
    private const int Limit = 4;

    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;
    private int _mostRunning;

    [Fact]
    public async Task A_flood_runs_at_most_MaxConcurrentHandlers_at_once_stops_reading_and_is_answered_in_full_once_handlers_finish()
    {
        const int calls = 40;
        var callee = await ConnectedClient("gated-service", RegisterHold, o => o with { MaxConcurrentHandlers = Limit });
        var caller = await ConnectedClient("flooding-caller");
        var connection = callee.OpenConnections[0];

        var answers = Enumerable.Range(0, calls).Select(i => caller.CallAsync<int>("gated-service", "hold", i)).ToList();

        // Every slot busy and the queue (as long as the limit) full: the CALL that filled it
        // paused the callee's reading.
        await Until(() => Volatile.Read(ref _running) == Limit && connection.CallsHandled == 2 * Limit);

        // Absence of further reads can only be shown over a while; a reader that went on would
        // have taken the remaining 32 CALLs, sent long ago, well within it.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Equal(2 * Limit, connection.CallsHandled);
        Assert.All(answers, answer => Assert.False(answer.IsCompleted));

        _gate.SetResult();

        Assert.Equal(Enumerable.Range(0, calls), (await Task.WhenAll(answers).WaitAsync(Patience)).Order());
        Assert.Equal(Limit, Volatile.Read(ref _mostRunning));
        Assert.Equal(calls, connection.CallsHandled);
    }

    [Fact]
    public async Task A_handler_awaiting_a_nested_call_completes_while_every_slot_is_busy_and_CALLs_wait()
    {
        const int limit = 2;
        var callsWaiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await ConnectedClient("echo-service", c => c.RegisterMethod<string, string>("echo", (text, _) => Task.FromResult(text)));
        var callee = await ConnectedClient("busy-service", c =>
        {
            RegisterHold(c);
            c.RegisterMethod<string, string>("relay", async (text, _) =>
            {
                // Nested only once a CALL waits behind this one and the held one: its RESPONSE
                // then arrives behind a CALL that found no free slot.
                await callsWaiting.Task;
                return "relayed " + await c.CallAsync<string>("echo-service", "echo", text);
            });
        }, o => o with { MaxConcurrentHandlers = limit });
        var caller = await ConnectedClient("caller");
        var connection = callee.OpenConnections[0];

        var held = caller.CallAsync<int>("busy-service", "hold", 1);
        await Until(() => Volatile.Read(ref _running) == 1);
        var relayed = caller.CallAsync<string>("busy-service", "relay", "hi");
        var queued = caller.CallAsync<int>("busy-service", "hold", 2);
        await Until(() => connection.CallsHandled == 3);
        callsWaiting.SetResult();

        Assert.Equal("relayed hi", await relayed.WaitAsync(Patience));
        Assert.False(held.IsCompleted);
        Assert.False(queued.IsCompleted);

        _gate.SetResult();
        Assert.Equal(new[] { 1, 2 }, await Task.WhenAll(held, queued).WaitAsync(Patience));
    }

    [Fact]
    public async Task Disconnecting_while_reading_is_paused_does_not_wait_for_the_handlers()
    {
        var callee = await ConnectedClient("paused-service", RegisterHold, o => o with { MaxConcurrentHandlers = 1 });
        var caller = await ConnectedClient("caller");
        var connection = callee.OpenConnections[0];
        var answers = Enumerable.Range(0, 3).Select(i => caller.CallAsync<int>("paused-service", "hold", i)).ToList();
        await Until(() => connection.CallsHandled == 2);

        // The stream's end must reach the connection actor while the sink still waits for room;
        // otherwise disconnecting would wait out the actor's 5 s stop timeout.
        await callee.DisconnectAsync().WaitAsync(TimeSpan.FromSeconds(3));

        Assert.False(callee.IsConnected);
        Assert.All(answers, answer => Assert.False(answer.IsCompletedSuccessfully));
        _gate.SetResult();
    }

    /// <summary>Waits for <paramref name="condition"/>, polling often: these conditions hold within milliseconds.</summary>
    private Task Until(Func<bool> condition) =>
        AwaitConditionAsync(() => Task.FromResult(condition()), Patience, TimeSpan.FromMilliseconds(10));

    /// <summary>"hold": counts itself running (and the most ever seen at once), then waits for the gate.</summary>
    private void RegisterHold(BroClient client) => client.RegisterMethod<int, int>("hold", async (n, _) =>
    {
        var running = Interlocked.Increment(ref _running);
        int most;
        while ((most = Volatile.Read(ref _mostRunning)) < running
               && Interlocked.CompareExchange(ref _mostRunning, running, most) != most)
        {
        }

        await _gate.Task;
        Interlocked.Decrement(ref _running);
        return n;
    });
}
