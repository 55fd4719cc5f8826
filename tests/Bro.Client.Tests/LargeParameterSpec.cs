using Bro.Client.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Client.Tests;

/// <summary>What a large parameter costs the calling thread (issue 14: 100 KB echoes).</summary>
public sealed class LargeParameterSpec(ITestOutputHelper output) : ClientSpec(output)
{
    [Theory]
    [InlineData(BroSerializer.Json)]
    [InlineData(BroSerializer.MessagePack)]
    public async Task A_100_KB_parameter_is_serialized_into_a_pooled_buffer_not_an_array_of_its_own(BroSerializer serializer)
    {
        await ConnectedClient("echo-service", c => c.RegisterMethod<string, string>("echo", (text, _) =>
            Task.FromResult(text)), o => o with { Serializer = serializer });
        var caller = await ConnectedClient("echo-caller", configure: o => o with { Serializer = serializer });
        var text = new string('x', 100 * 1024);

        // One thread calls and waits, so its per-thread buffers and the pools' arrays are warm;
        // the least any call allocated is what the call itself costs (a pool can miss once, when
        // a sent frame's array went back on another thread).
        var least = long.MaxValue;
        var calls = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try
            {
                for (var i = 0; i < 10; i++)
                {
                    var before = GC.GetAllocatedBytesForCurrentThread();
                    var call = caller.CallAsync<string>("echo-service", "echo", text);
                    least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
                    Assert.Equal(text, call.WaitAsync(Patience).GetAwaiter().GetResult());
                }

                calls.SetResult();
            }
            catch (Exception ex)
            {
                calls.SetException(ex);
            }
        }).Start();
        await calls.Task.WaitAsync(Patience * 2);

        // An array of its own would be 100 KB (a large-object-heap allocation, per call).
        Assert.True(least < 16 * 1024, $"a call with a {text.Length}-char parameter allocated at least {least} bytes on its thread");
    }
}
