using Bro.Client.Internal;
using Bro.Codecs;
using Bro.Protocol;
using Xunit;

namespace Bro.Client.Tests;

/// <summary>A handled call's token: lazy, fired by abandonment whenever it lands, inert once the handler ended.</summary>
public sealed class HandledCallSpec
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private static ConnectionHandle Connection() => new(0, 16, MessageCodecs.Json, 1024 * 1024);

    private static HandledCall Handled(ConnectionHandle connection, string id = "req-1")
    {
        var deadline = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds();
        var call = new CallMessage(id, "order", "user", "get", null, new CallContext("root-1", ["order", "user"], 2, deadline));
        var handled = new HandledCall(connection, call, TimeProvider.System);
        connection.Handling.Add(handled);
        return handled;
    }

    [Fact]
    public async Task The_gateways_CANCEL_fires_a_token_the_handler_already_holds()
    {
        var connection = Connection();
        using var handled = Handled(connection);
        var token = handled.Token;
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = token.Register(() => fired.TrySetResult());
        Assert.False(token.IsCancellationRequested);

        Assert.True(connection.Handling.Abandon("req-1"));

        await fired.Task.WaitAsync(Patience);
    }

    [Fact]
    public void A_token_asked_for_after_the_CANCEL_came_is_cancelled_already()
    {
        var connection = Connection();
        using var handled = Handled(connection);

        connection.Handling.Abandon("req-1");

        Assert.True(handled.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task Losing_the_connection_fires_every_handlers_token()
    {
        var connection = Connection();
        using var first = Handled(connection, "req-1");
        using var second = Handled(connection, "req-2");
        var held = first.Token;

        connection.Handling.AbandonAll();

        await Task.Delay(Timeout.Infinite, held).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Patience);
        Assert.True(held.IsCancellationRequested);
        Assert.True(second.Token.IsCancellationRequested);
    }

    [Fact]
    public void A_finished_handler_leaves_the_table_and_a_late_CANCEL_finds_nothing()
    {
        var connection = Connection();
        var handled = Handled(connection);
        var token = handled.Token;

        handled.Dispose();

        Assert.False(connection.Handling.Abandon("req-1"));
        Assert.False(token.IsCancellationRequested);
        Assert.False(handled.Token.CanBeCanceled);
    }

    [Fact]
    public void A_token_whose_deadline_has_passed_is_cancelled()
    {
        var connection = Connection();
        var past = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds();
        var call = new CallMessage("req-1", "order", "user", "get", null, new CallContext("root-1", ["order", "user"], 2, past));
        using var handled = new HandledCall(connection, call, TimeProvider.System);

        Assert.True(handled.Token.IsCancellationRequested);
    }
}
