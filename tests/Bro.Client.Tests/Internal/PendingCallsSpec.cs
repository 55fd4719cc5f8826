using Bro.Client.Internal;
using Bro.Protocol;
using Xunit;

namespace Bro.Client.Tests.Internal;

public sealed class PendingCallsSpec
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private static ResponseMessage Response(string id) =>
        new(id, "user", "order", ResponseStatus.Success, null, null, null);

    [Fact]
    public async Task A_response_completes_its_call_and_removes_the_entry()
    {
        var calls = new PendingCalls("caller");
        using var call = calls.Add("req-1", 0, "user", "get", TimeSpan.FromSeconds(30), default);

        Assert.True(calls.TryComplete(Response("req-1")));

        Assert.Equal("req-1", (await call.Task.WaitAsync(Patience)).Id);
        Assert.Equal(0, calls.Count);
        Assert.False(calls.TryComplete(Response("req-1")));
    }

    [Fact]
    public async Task A_call_times_out_with_TIMEOUT_and_removes_the_entry()
    {
        var calls = new PendingCalls("caller");
        using var call = calls.Add("req-1", 0, "user", "get", TimeSpan.FromMilliseconds(20), default);

        var error = await Assert.ThrowsAsync<BroException>(() => call.Task.WaitAsync(Patience));

        Assert.Equal(ErrorCodes.Timeout, error.Code);
        Assert.Equal("Request to user.get timed out after 20ms", error.Message);
        Assert.Equal(0, calls.Count);
    }

    private static ResponseMessage DeadlineExceeded(string id) =>
        new(id, "gateway", "order", ResponseStatus.Error, null, new ErrorInfo("deadline passed", ErrorCodes.DeadlineExceeded), null);

    [Fact]
    public async Task The_gateways_DEADLINE_EXCEEDED_at_the_calls_own_deadline_is_a_TIMEOUT()
    {
        var calls = new PendingCalls("caller");
        // Due in a millisecond: the gateway's answer comes at its deadline, before the sweep's first tick.
        using var call = calls.Add("req-1", 0, "user", "get", TimeSpan.FromTicks(1), default);

        Assert.True(calls.TryComplete(DeadlineExceeded("req-1")));

        Assert.Equal(ErrorCodes.Timeout, (await Assert.ThrowsAsync<BroException>(() => call.Task.WaitAsync(Patience))).Code);
    }

    [Fact]
    public async Task A_DEADLINE_EXCEEDED_long_before_the_calls_own_deadline_stays_as_it_is()
    {
        var calls = new PendingCalls("caller");
        // The gateway cut the deadline shorter (its request-timeout): not this call's own timeout.
        using var call = calls.Add("req-1", 0, "user", "get", TimeSpan.FromSeconds(30), default);

        Assert.True(calls.TryComplete(DeadlineExceeded("req-1")));

        Assert.Equal(ErrorCodes.DeadlineExceeded, (await call.Task.WaitAsync(Patience)).Error?.Code);
    }

    [Fact]
    public async Task Losing_a_connection_fails_only_the_calls_sent_on_it()
    {
        var calls = new PendingCalls("caller");
        using var onFirst = calls.Add("req-1", 0, "user", "get", TimeSpan.FromSeconds(30), default);
        using var onSecond = calls.Add("req-2", 1, "user", "get", TimeSpan.FromSeconds(30), default);

        Assert.Equal(1, calls.FailAll(1, () => new BroException(ErrorCodes.ConnectionLost, "lost")));

        Assert.Equal(ErrorCodes.ConnectionLost, (await Assert.ThrowsAsync<BroException>(() => onSecond.Task.WaitAsync(Patience))).Code);
        Assert.False(onFirst.Task.IsCompleted);
        Assert.Equal(1, calls.Count);
    }

    [Fact]
    public async Task A_cancelled_token_cancels_the_call()
    {
        var calls = new PendingCalls("caller");
        using var cts = new CancellationTokenSource();
        using var call = calls.Add("req-1", 0, "user", "get", TimeSpan.FromSeconds(30), cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.Task.WaitAsync(Patience));
        Assert.Equal(0, calls.Count);
    }

    [Fact]
    public async Task Disposing_a_call_nobody_completed_removes_its_entry_and_cancels_it()
    {
        // What a caller whose write was cancelled does: it leaves CallAsync with the entry unclaimed.
        var calls = new PendingCalls("caller");
        var call = calls.Add("req-1", 0, "user", "get", TimeSpan.FromSeconds(30), default);

        call.Dispose();

        Assert.Equal(0, calls.Count);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.Task.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_call_its_token_cancels_after_it_was_added_is_reported_so_the_callee_can_be_told()
    {
        var told = new List<string>();
        var calls = new PendingCalls("caller") { Cancelled = call => { lock (told) told.Add(call.Id); } };
        using var cts = new CancellationTokenSource();
        using var call = calls.Add("req-1", 0, "user", "get", TimeSpan.FromSeconds(30), cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.Task.WaitAsync(Patience));
        lock (told)
            Assert.Equal(["req-1"], told);
    }

    [Fact]
    public async Task A_call_whose_token_fired_before_it_was_added_is_not_reported_since_it_is_never_sent()
    {
        var told = new List<string>();
        var calls = new PendingCalls("caller") { Cancelled = call => { lock (told) told.Add(call.Id); } };

        using var call = calls.Add("req-1", 0, "user", "get", TimeSpan.FromSeconds(30), new CancellationToken(canceled: true));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.Task.WaitAsync(Patience));
        lock (told)
            Assert.Empty(told);
    }

    [Fact]
    public async Task The_token_of_the_handler_making_a_call_cancels_it_as_the_callers_own_does()
    {
        var told = new List<string>();
        var calls = new PendingCalls("caller") { Cancelled = call => { lock (told) told.Add(call.Id); } };
        using var own = new CancellationTokenSource();
        using var handler = new CancellationTokenSource();
        using var call = calls.Add("req-1", 0, "user", "get", TimeSpan.FromSeconds(30), own.Token, handler.Token);

        await handler.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.Task.WaitAsync(Patience));
        Assert.False(calls.TryComplete(Response("req-1")));
        await own.CancelAsync();
        lock (told)
            Assert.Equal(["req-1"], told);
    }

    [Fact]
    public async Task A_call_answered_before_its_token_fires_is_not_reported()
    {
        var told = new List<string>();
        var calls = new PendingCalls("caller") { Cancelled = call => { lock (told) told.Add(call.Id); } };
        using var cts = new CancellationTokenSource();
        using var call = calls.Add("req-1", 0, "user", "get", TimeSpan.FromSeconds(30), cts.Token);

        Assert.True(calls.TryComplete(Response("req-1")));
        await cts.CancelAsync();

        Assert.Equal("req-1", (await call.Task.WaitAsync(Patience)).Id);
        lock (told)
            Assert.Empty(told);
    }
}
