using System.Text.Json;
using Bro.Client;

namespace Bro.Bench;

/// <summary>One workload: how many calls, how many outstanding, and the call itself.</summary>
internal sealed record Scenario(string Name, string Description, int Calls, int InFlight, bool Chain, Func<BroClient, Task> Call)
{
    /// <summary>Every scenario at <paramref name="scale"/> times its full call count.</summary>
    public static IReadOnlyList<Scenario> All(double scale)
    {
        int N(int full, int min) => Math.Max(min, (int)(full * scale));
        var pipelined = N(100_000, 2_000);
        return
        [
            new("seq-noop", "sequential no-op", N(5_000, 100), 1, false, c => c.CallAsync<JsonElement>("svc", "noop")),
            Echo("seq-echo-1k", 1024, N(5_000, 100)),
            Echo("seq-echo-10k", 10 * 1024, N(3_000, 100)),
            Echo("seq-echo-100k", 100 * 1024, N(1_000, 50)),
            Echo("seq-echo-1m", 1024 * 1024, N(200, 20)),
            new("concurrent-10ms", "10,000 concurrent calls, handler awaits 10 ms", N(10_000, 500), int.MaxValue, false,
                c => c.CallAsync<JsonElement>("svc", "work")),
            new("pipelined-noop", "no-op, 1,000 in flight", pipelined, 1_000, false, c => c.CallAsync<JsonElement>("svc", "noop")),
            new("nested-chain", "sequential A -> B.nested -> C.noop", N(3_000, 100), 1, true,
                c => c.CallAsync<JsonElement>("b", "nested")),
        ];
    }

    private static Scenario Echo(string name, int size, int calls)
    {
        var payload = new string('x', size);
        return new(name, $"sequential echo of {size / 1024} KB", calls, 1, false, async c =>
        {
            var echoed = await c.CallAsync<string>("svc", "echo", payload);
            if (echoed?.Length != size)
                throw new InvalidOperationException($"echo returned {echoed?.Length} chars, sent {size}");
        });
    }
}
