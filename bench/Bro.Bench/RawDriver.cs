using System.Diagnostics;

namespace Bro.Bench;

/// <summary>
/// <c>--driver raw</c>: drives the server with pre-encoded frames on plain sockets, callers and
/// callees both in this process, so the figures are the server's cost and not a client's.
/// For each encoding and target (a fresh floor relay, then a fresh gateway): cold vs warm, the
/// raw scenarios on that same warm process, and on the gateway the accept storm.
/// </summary>
internal static class RawDriver
{
    /// <summary>No step of the raw driver (connect, warm-up, run) may take longer.</summary>
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(120);

    private const string Definition =
        "raw driver = callers and callees in the bench process on plain Unix sockets, frames pre-encoded (id patched in place, " +
        "64-byte params, RESPONSEs of one read written back in one write); CPU = server utime + stime over the measured calls, " +
        "per call; floor = the relay process, pairing each caller with its callee";

    public static async Task<RawReport> RunAsync(BenchOptions options, string dir)
    {
        int N(int full, int min) => Math.Max(min, (int)(full * options.Scale));
        var scenarios = RawScenario.All(options.Scale).Where(s => options.Runs(s.Name)).ToList();
        var coldWarmCalls = N(100_000, 10_000);
        var stormConnections = 5_000;
        var results = new List<RawResult>();
        var coldWarm = new List<ColdWarmResult>();
        var storms = new List<AcceptStormResult>();
        foreach (var encoding in new[] { "json", "msgpack" })
        {
            var socket = Path.Combine(dir, $"raw-floor-{encoding}.sock");
            var floor = await RunTarget("floor", ChildProcess.StartRole("relay", "--socket", socket), socket, encoding, scenarios, coldWarmCalls, null,
                watched: false);
            socket = Path.Combine(dir, $"raw-gw-{encoding}.sock");
            var gateway = await RunTarget("gateway", ChildProcess.Start(ChildProcess.Gateway, ["--socket", socket], "listening", options.GatewayEnv),
                socket, encoding, scenarios, coldWarmCalls, options.Runs("accept-storm") ? stormConnections : null, options.WithMonitor);
            coldWarm.Add(floor.ColdWarm);
            coldWarm.Add(gateway.ColdWarm);
            results.AddRange(scenarios.Select((s, i) => new RawResult(s.Name, s.Description, encoding, gateway.Measurements[i], floor.Measurements[i])));
            if (gateway.Storm is { } storm)
                storms.Add(storm);
        }

        return new RawReport(Definition, results, coldWarm, storms);
    }

    private static async Task<(ColdWarmResult ColdWarm, List<RawMeasurement> Measurements, AcceptStormResult? Storm)> RunTarget(
        string target, ChildProcess process, string socket, string encoding, IReadOnlyList<RawScenario> scenarios, int coldWarmCalls, int? storm,
        bool watched)
    {
        await using var server = process;
        await server.ReadyAsync();
        // Watched from before the first call to after the last, as an operator's terminal would.
        await using var monitor = watched ? ChildProcess.Start(ChildProcess.Gateway, ["monitor", "--socket", socket], "Monitoring", discardStdout: true) : null;
        if (monitor is not null)
            await monitor.ReadyAsync();
        var deadline = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        // Pair numbers are unique within one server process: service names must be.
        var nextPair = 0;

        var coldWarm = await Step($"{target} {encoding} cold/warm", async cancellation =>
        {
            using var pairs = await RawPairs.ConnectAsync(socket, encoding, nextPair++, 1, deadline, cancellation);
            await pairs.RunAsync(2_000, 1_000, cancellation);
            var cold = await Measure(server.Id, pairs, coldWarmCalls, 1_000, cancellation);
            Print(target, encoding, "cold", cold);
            var warm = new List<RawMeasurement>();
            for (var i = 0; i < 3; i++)
            {
                warm.Add(await Measure(server.Id, pairs, coldWarmCalls, 1_000, cancellation));
                Print(target, encoding, $"warm {i + 1}", warm[^1]);
            }

            return new ColdWarmResult(target, encoding, cold, warm);
        });

        var measurements = new List<RawMeasurement>();
        foreach (var scenario in scenarios)
        {
            var first = nextPair;
            nextPair += scenario.Pairs;
            measurements.Add(await Step($"{target} {encoding} {scenario.Name}", async cancellation =>
            {
                using var pairs = await RawPairs.ConnectAsync(socket, encoding, first, scenario.Pairs, deadline, cancellation);
                await pairs.RunAsync(Math.Max(scenario.InFlightPerPair, scenario.CallsPerPair / 10), scenario.InFlightPerPair, cancellation);
                return await Measure(server.Id, pairs, scenario.CallsPerPair, scenario.InFlightPerPair, cancellation);
            }));
            Print(target, encoding, scenario.Name, measurements[^1]);
        }

        AcceptStormResult? stormResult = null;
        if (storm is { } connections)
        {
            stormResult = await Step($"{target} {encoding} accept storm", cancellation =>
                AcceptStorm.RunAsync(socket, encoding, server.Id, connections, cancellation));
            Console.WriteLine($"{target,-8} {encoding,-8} {"accept-storm",-18} {stormResult.Registered}/{stormResult.Connections} registered in " +
                $"{stormResult.SecondsToAllAcks:N3} s, {stormResult.RefusedConnects} connects refused, {stormResult.KbPerConnection:N1} KB RSS each; " +
                $"closing them all: probe p50/max {stormResult.ProbeDuringClose.P50Ms:N3}/{stormResult.ProbeDuringClose.MaxMs:N1} ms " +
                $"(before {stormResult.ProbeBefore.P50Ms:N3}/{stormResult.ProbeBefore.MaxMs:N1} ms)");
        }

        return (coldWarm, measurements, stormResult);
    }

    /// <summary>Runs the calls with the server's CPU time read just before and just after.</summary>
    private static async Task<RawMeasurement> Measure(int pid, RawPairs pairs, int callsPerPair, int inFlightPerPair, CancellationToken cancellation)
    {
        var cpuBefore = ProcessProbe.CpuTime(pid);
        var (elapsed, latencies) = await pairs.RunAsync(callsPerPair, inFlightPerPair, cancellation);
        var cpu = ProcessProbe.CpuTime(pid) - cpuBefore;
        Array.Sort(latencies);
        return new RawMeasurement(latencies.Length, elapsed.TotalSeconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), cpu.TotalSeconds);
    }

    /// <summary>Runs one step under <see cref="StepTimeout"/>; a hang becomes a <see cref="TimeoutException"/> naming the step.</summary>
    private static async Task<T> Step<T>(string name, Func<CancellationToken, Task<T>> step)
    {
        using var timeout = new CancellationTokenSource(StepTimeout);
        try
        {
            return await step(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"raw driver: {name} did not finish within {StepTimeout.TotalSeconds:N0} s");
        }
    }

    private static double Percentile(long[] sorted, double p) =>
        Stopwatch.GetElapsedTime(0, sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * p))]).TotalMilliseconds;

    private static void Print(string target, string encoding, string name, RawMeasurement m) =>
        Console.WriteLine($"{target,-8} {encoding,-8} {name,-18} {m.CallsPerSecond,10:N0} calls/s  p50 {m.P50Ms:N3} ms  p99 {m.P99Ms:N3} ms  {m.CpuUsPerCall:N2} µs CPU/call");
}
