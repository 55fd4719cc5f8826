using Bro.Protocol;
using Xunit;
using Bro.Actors.Tests.Support;

namespace Bro.Actors.Tests.Protocol;

public sealed class CallContextsSpec
{
    private const long Now = 1699005123456;
    private readonly ManualTimeProvider _time = new(Now);

    [Fact]
    public void Create_starts_a_chain_with_a_new_root_depth_1_and_a_deadline()
    {
        var context = CallContexts.Create("order", TimeSpan.FromSeconds(30), _time);

        Assert.StartsWith($"root-{Now}-", context.Root);
        Assert.Equal(["order"], context.Chain);
        Assert.Equal(1, context.Depth);
        Assert.Equal(Now + 30_000, context.Deadline);
    }

    [Fact]
    public void Extend_appends_the_service_and_keeps_root_and_deadline()
    {
        var order = new CallContext("root-123", ["order"], 1, Now + 1000);

        var role = CallContexts.Extend(CallContexts.Extend(order, "user"), "role");

        Assert.Equal(new[] { "order", "user", "role" }, role.Chain);
        Assert.Equal(3, role.Depth);
        Assert.Equal("root-123", role.Root);
        Assert.Equal(Now + 1000, role.Deadline);
        Assert.Equal(["order"], order.Chain);
    }

    [Fact]
    public void Validate_accepts_ipc_bro_contexts_whose_chain_repeats_the_caller()
    {
        CallContexts.Validate(new CallContext("root-1", ["cart-service", "cart-service"], 2, Now));
    }

    public static TheoryData<CallContext?, string> InvalidContexts => new()
    {
        { null, "Missing" },
        { new CallContext("", ["a"], 1, Now), "root" },
        { new CallContext("r", [], 1, Now), "chain" },
        { new CallContext("r", ["a"], 0, Now), "depth" },
    };

    [Theory]
    [MemberData(nameof(InvalidContexts))]
    public void Validate_rejects_a_malformed_context_with_INVALID_CONTEXT(CallContext? context, string mention)
    {
        var error = Assert.Throws<BroException>(() => CallContexts.Validate(context));

        Assert.Equal(ErrorCodes.InvalidContext, error.Code);
        Assert.Contains(mention, error.Message);
    }

    [Fact]
    public void The_deadline_is_exceeded_only_once_it_has_passed()
    {
        var context = new CallContext("r", ["a"], 1, Now + 100);

        Assert.False(CallContexts.IsDeadlineExceeded(context, _time));
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.False(CallContexts.IsDeadlineExceeded(context, _time));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(CallContexts.IsDeadlineExceeded(context, _time));
    }

    [Fact]
    public void RemainingTime_counts_down_and_never_goes_negative()
    {
        var context = new CallContext("r", ["a"], 1, Now + 250);

        Assert.Equal(TimeSpan.FromMilliseconds(250), CallContexts.RemainingTime(context, _time));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.Zero, CallContexts.RemainingTime(context, _time));
    }

    [Fact]
    public void CalculateDeadline_never_outlives_the_parent()
    {
        Assert.Equal(Now + 5000, CallContexts.CalculateDeadline(TimeSpan.FromSeconds(5), null, _time));
        Assert.Equal(Now + 2000, CallContexts.CalculateDeadline(TimeSpan.FromSeconds(5), Now + 2000, _time));
        Assert.Equal(Now + 5000, CallContexts.CalculateDeadline(TimeSpan.FromSeconds(5), Now + 9000, _time));
    }

    [Fact]
    public void Max_depth_is_exceeded_above_the_limit_which_defaults_to_100()
    {
        Assert.False(CallContexts.IsMaxDepthExceeded(new CallContext("r", ["a"], 100, Now)));
        Assert.True(CallContexts.IsMaxDepthExceeded(new CallContext("r", ["a"], 101, Now)));
        Assert.True(CallContexts.IsMaxDepthExceeded(new CallContext("r", ["a"], 3, Now), maxDepth: 2));
    }

    [Fact]
    public void Format_shows_root_chain_and_depth()
    {
        Assert.Equal("[root-123] a → b → c (depth: 3)",
            CallContexts.Format(new CallContext("root-123", ["a", "b", "c"], 3, Now)));
    }
}
