using Bro.Client.Tests.Support;
using Bro.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Client.Tests;

public sealed class ContextPropagationSpec(ITestOutputHelper output) : ClientSpec(output)
{
    public sealed record Probe(string Root, string[] Chain, int Depth, long Deadline);

    [Fact]
    public async Task A_nested_call_order_to_user_to_role_keeps_the_root_and_extends_the_chain()
    {
        var userSaw = new TaskCompletionSource<CallContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        await ConnectedClient("role", c => c.RegisterMethod<object, Probe>("whoami", (_, ctx) =>
            Task.FromResult(new Probe(ctx.Root, [.. ctx.Chain], ctx.Depth, ctx.Deadline))));
        BroClient user = null!;
        user = await ConnectedClient("user", c => c.RegisterMethod<object, Probe?>("getUser", async (_, ctx) =>
        {
            userSaw.TrySetResult(ctx);
            return await user.CallAsync<Probe>("role", "whoami");
        }));
        var order = await ConnectedClient("order");

        var role = await order.CallAsync<Probe>("user", "getUser").WaitAsync(Patience);

        var atUser = await userSaw.Task.WaitAsync(Patience);
        Assert.Equal(["order", "user"], atUser.Chain);
        Assert.Equal(2, atUser.Depth);
        Assert.NotNull(role);
        Assert.Equal(atUser.Root, role.Root);
        Assert.StartsWith("root-", role.Root);
        Assert.Equal(["order", "user", "role"], role.Chain);
        Assert.Equal(3, role.Depth);
        Assert.True(role.Deadline <= atUser.Deadline, "a nested call never outlives its parent");
        Assert.Null(BroClient.CurrentContext);
    }

    [Fact]
    public async Task Five_hundred_concurrent_calls_whose_handlers_call_again_each_keep_their_own_root()
    {
        await ConnectedClient("role", c => c.RegisterMethod<object, Probe>("whoami", async (_, ctx) =>
        {
            await Task.Yield();
            return new Probe(ctx.Root, [.. ctx.Chain], ctx.Depth, ctx.Deadline);
        }));
        BroClient user = null!;
        user = await ConnectedClient("user", c => c.RegisterMethod<object, string[]>("roots", async (_, ctx) =>
        {
            // Interleave the handlers before the nested call, so a shared (non-async-local) context would show.
            await Task.Delay(Random.Shared.Next(0, 5));
            var nested = await user.CallAsync<Probe>("role", "whoami");
            return [ctx.Root, nested!.Root, BroClient.CurrentContext!.Root];
        }));
        var order = await ConnectedClient("order");

        var results = await Task.WhenAll(Enumerable.Range(0, 500)
            .Select(_ => order.CallAsync<string[]>("user", "roots"))).WaitAsync(TimeSpan.FromSeconds(30));

        foreach (var roots in results)
        {
            Assert.NotNull(roots);
            Assert.Equal(roots[0], roots[1]);
            Assert.Equal(roots[0], roots[2]);
        }

        Assert.Equal(500, results.Select(r => r![0]).Distinct().Count());
    }

    [Fact]
    public async Task A_nested_call_after_the_parents_deadline_fails_with_DEADLINE_EXCEEDED_before_sending()
    {
        var nestedError = new TaskCompletionSource<BroException>(TaskCreationOptions.RunContinuationsAsynchronously);
        await ConnectedClient("role", c => c.RegisterMethod<object, int>("one", (_, _) => Task.FromResult(1)));
        BroClient user = null!;
        user = await ConnectedClient("user", c => c.RegisterMethod<object, int>("late", async (_, ctx) =>
        {
            await Task.Delay(CallContexts.RemainingTime(ctx) + TimeSpan.FromMilliseconds(50));
            try
            {
                return await user.CallAsync<int>("role", "one");
            }
            catch (BroException ex)
            {
                nestedError.TrySetResult(ex);
                throw;
            }
        }));
        var order = await ConnectedClient("order");

        var error = await Fails(order.CallAsync<int>("user", "late", options: new CallOptions { Timeout = TimeSpan.FromMilliseconds(300) }));

        Assert.Equal(ErrorCodes.Timeout, error.Code);
        Assert.Equal(ErrorCodes.DeadlineExceeded, (await nestedError.Task.WaitAsync(Patience)).Code);
    }
}
