using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bro.Bench;

/// <summary>
/// The default role: for each encoding, runs every scenario against the floor relay and then
/// against the bro gateway (each a separate process), and reports both with their ratios. The
/// BroClient-driven scenarios (<c>--driver client</c>, the default) run first, then the raw
/// driver's (<c>--driver raw</c>; both with <c>all</c>).
/// </summary>
internal static class BenchDriver
{
    private const string FloorDefinition =
        "floor = a minimal .NET relay (no Akka, no parsing after the REGISTER frame) pairing connections in accept order " +
        "and copying bytes to the peer; the nested chain crosses two such relay hops, as it crosses the gateway twice";

    public static async Task<int> RunAsync(BenchOptions options)
    {
        var dir = Directory.CreateTempSubdirectory("bro-bench-").FullName;
        try
        {
            var scenarios = options.RunsClientDriver ? Scenario.All(options.Scale).Where(s => options.Runs(s.Name)).ToList() : [];
            var results = new List<ScenarioResult>();
            IdleResult? idle = null;
            foreach (var encoding in options.RunsClientDriver ? ["json", "msgpack"] : Array.Empty<string>())
            {
                var floor = await RunTarget(() => Topology.StartFloorAsync(dir, encoding), scenarios, encoding);
                var gateway = await RunTarget(() => Topology.StartGatewayAsync(dir, encoding, options.GatewayEnv), scenarios, encoding, async topology =>
                {
                    if (options.Runs("idle"))
                        idle ??= await IdleConnections.MeasureAsync(topology.MainSocket, topology.Server.Id, Math.Max(100, (int)(1_000 * options.Scale)));
                });
                results.AddRange(scenarios.Select((s, i) => new ScenarioResult(s.Name, s.Description, encoding, gateway[i], floor[i])));
            }

            var raw = options.RunsRawDriver ? await RawDriver.RunAsync(options, dir) : null;
            var report = new BenchReport(
                DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'"), Machine.CpuModel(), Environment.ProcessorCount, options.Scale,
                FloorDefinition, results, idle, raw);
            Console.WriteLine();
            if (options.RunsClientDriver)
                Console.WriteLine(ReportTable.Format(report));
            if (raw is not null)
                Console.WriteLine(RawReportTable.Format(raw));
            if (options.JsonFile is { } file)
                await File.WriteAllTextAsync(file, JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web)
                {
                    WriteIndented = true,
                    // A ratio over a CPU time of zero ticks (a short run on the floor) is Infinity or NaN.
                    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
                }));
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<List<Measurement>> RunTarget(
        Func<Task<Topology>> start, IReadOnlyList<Scenario> scenarios, string encoding, Func<Topology, Task>? after = null)
    {
        await using var topology = await start();
        var pid = topology.Server.Id;
        var measurements = new List<Measurement>();
        foreach (var scenario in scenarios)
        {
            var client = scenario.Chain ? topology.ChainCaller : topology.Caller;
            Func<Task> call = () => scenario.Call(client);
            await LoadRunner.RunAsync(Math.Max(20, scenario.Calls / 10), Math.Min(scenario.InFlight, scenario.Calls / 10 + 1), call);
            ProcessProbe.ResetPeak(pid);
            var cpuBefore = ProcessProbe.CpuTime(pid);
            var calleesBefore = CalleeCpu(topology);
            var clientBefore = Environment.CpuUsage.TotalTime;
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            var runtime = RuntimeCounters.Now();
            var load = await LoadRunner.RunAsync(scenario.Calls, scenario.InFlight, call);
            var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
            var callers = Environment.CpuUsage.TotalTime - clientBefore;
            var callees = CalleeCpu(topology) - calleesBefore;
            var cpu = ProcessProbe.CpuTime(pid) - cpuBefore;
            var measurement = new Measurement(
                load.CallsPerSecond, load.P50.TotalMilliseconds, load.P99.TotalMilliseconds, load.Calls, load.Elapsed.TotalSeconds,
                ProcessProbe.PeakRssMb(pid), cpu.TotalSeconds, callers.TotalSeconds, callees.TotalSeconds, allocated);
            measurements.Add(measurement);
            Console.WriteLine($"{topology.Target,-8} {encoding,-8} {scenario.Name,-16} {measurement.CallsPerSecond,10:N0} calls/s  p50 {measurement.P50Ms:N3} ms  p99 {measurement.P99Ms:N3} ms" +
                $"  client {measurement.ClientCpuMicrosPerCall:N1} µs/call {measurement.ClientBytesPerCall:N0} B/call  callees {measurement.CalleeCpuMicrosPerCall:N1} µs/call" +
                $"  {RuntimeCounters.Now().Since(runtime)}");
        }

        if (after is not null)
            await after(topology);
        return measurements;
    }

    private static TimeSpan CalleeCpu(Topology topology) =>
        topology.Callees.Aggregate(TimeSpan.Zero, (sum, callee) => sum + ProcessProbe.CpuTime(callee.Id));
}
