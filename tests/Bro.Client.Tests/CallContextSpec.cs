using Bro.Client.Internal;
using Bro.Protocol;
using Xunit;

namespace Bro.Client.Tests;

public sealed class CallContextSpec : IAsyncLifetime
{
    private BroClient _client = null!;

    private ClientCore Core => _client.Core;

    public Task InitializeAsync()
    {
        _client = new BroClient(new BroClientOptions { ServiceName = "order", Timeout = TimeSpan.FromSeconds(30) });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public void A_top_level_call_starts_a_new_root_with_the_caller_and_the_target()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var context = Core.CreateContext("user", null, out var timeout);

        Assert.StartsWith("root-", context.Root);
        Assert.Equal(["order", "user"], context.Chain);
        Assert.Equal(2, context.Depth);
        Assert.Equal(TimeSpan.FromSeconds(30), timeout);
        Assert.InRange(context.Deadline, before + 30_000, before + 31_000);
    }

    [Fact]
    public async Task A_call_inside_a_handler_extends_its_context_and_never_outlives_it()
    {
        var parent = new CallContext("root-1", ["cart", "order"], 2, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1_000);

        var (context, timeout) = await Task.Run(() =>
        {
            CurrentCall.Context = parent;
            var c = Core.CreateContext("user", null, out var t);
            return (c, t);
        });

        Assert.Equal("root-1", context.Root);
        Assert.Equal(["cart", "order", "user"], context.Chain);
        Assert.Equal(3, context.Depth);
        Assert.True(context.Deadline <= parent.Deadline);
        Assert.True(timeout <= TimeSpan.FromSeconds(1));
        Assert.Null(CurrentCall.Context);
    }

    [Fact]
    public void A_context_given_in_the_call_options_overrides_the_ambient_one()
    {
        var given = new CallContext("root-given", ["a"], 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 60_000);

        var context = Core.CreateContext("user", new CallOptions { Context = given, Timeout = TimeSpan.FromSeconds(5) }, out var timeout);

        Assert.Equal("root-given", context.Root);
        Assert.Equal(["a", "user"], context.Chain);
        Assert.Equal(TimeSpan.FromSeconds(5), timeout);
    }

    [Fact]
    public void A_passed_deadline_fails_with_DEADLINE_EXCEEDED_before_sending()
    {
        var expired = new CallContext("root-1", ["a"], 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1);

        var error = Assert.Throws<BroException>(() => Core.CreateContext("user", new CallOptions { Context = expired }, out _));

        Assert.Equal(ErrorCodes.DeadlineExceeded, error.Code);
    }

    [Fact]
    public void Going_past_the_maximum_depth_fails_with_MAX_DEPTH_EXCEEDED_before_sending()
    {
        var deep = new CallContext("root-1", [.. Enumerable.Repeat("s", 100)], 100, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 60_000);

        var error = Assert.Throws<BroException>(() => Core.CreateContext("user", new CallOptions { Context = deep }, out _));

        Assert.Equal(ErrorCodes.MaxDepthExceeded, error.Code);
    }
}
