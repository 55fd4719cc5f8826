using System.Text.Json;
using System.Text.Json.Serialization;
using Bro.Bench.Grpc;

namespace Bro.Bench.Compare;

/// <summary>
/// <c>--driver compare</c>: Bro (JSON and MessagePack) against gRPC over a Unix socket, the same
/// echo shapes on each, in alternating rounds: every round starts each target's processes afresh,
/// runs the cold shape and then every shape (each warmed up first), and stops them; the targets'
/// order rotates from round to round so none always runs first or last on a noisy machine. The
/// table gives each figure's median over the rounds and its range. <c>--driver grpc</c> runs the
/// gRPC target alone.
/// </summary>
internal static class CompareDriver
{
    private const int Rounds = 3;

    // Far beyond any shape's run here (the slowest takes seconds): a shape still running after it
    // hung, and the round goes on without the rest of that target's shapes instead of waiting forever.
    private static readonly TimeSpan ShapeTimeout = TimeSpan.FromMinutes(2);

    private const string Definition =
        "bro-json / bro-msgpack: a BroClient caller in the bench process -> the bro gateway process -> a BroClient callee process, " +
        "echoing an ASCII string of N characters; grpc: a GrpcChannel in the bench process -> a Kestrel server process " +
        "(HTTP/2 without TLS over a Unix socket, unary call), echoing N protobuf bytes. CPU is utime + stime of each process " +
        "during the timed calls, per call; client = the bench process, server = the callee or the Kestrel server.";

    public static async Task<int> RunAsync(BenchOptions options)
    {
        string[] targets = options.Driver == "grpc" ? ["grpc"] : ["bro-json", "bro-msgpack", "grpc"];
        var cold = CompareShape.Cold(options.Scale);
        var shapes = CompareShape.All(options.Scale).Where(s => options.Runs(s.Name)).ToList();
        var runs = new Dictionary<(string Shape, string Target), List<CompareRun>>();
        var incidents = new List<string>();
        var dir = Directory.CreateTempSubdirectory("bro-cmp-").FullName;
        try
        {
            for (var round = 0; round < Rounds; round++)
            {
                for (var i = 0; i < targets.Length; i++)
                {
                    await using var target = await StartAsync(targets[(i + round) % targets.Length], dir, options);
                    var measured = options.Runs(cold.Name) ? shapes.Prepend(cold) : shapes;
                    foreach (var shape in measured)
                    {
                        try
                        {
                            Add(runs, shape, target, await MeasureAsync(target, shape, round, warmUp: shape != cold).WaitAsync(ShapeTimeout));
                        }
                        catch (TimeoutException)
                        {
                            var incident = $"round {round + 1}: {target.Name} {shape.Name} still running after {ShapeTimeout.TotalMinutes:N0} min " +
                                "(hung); the target's other shapes were skipped this round";
                            Console.WriteLine(incident);
                            incidents.Add(incident);
                            break;
                        }
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        var results = (from shape in shapes.Prepend(cold)
                       from target in targets
                       where runs.ContainsKey((shape.Name, target))
                       select new CompareResult(shape.Name, shape.Description, target, shape.Calls, runs[(shape.Name, target)])).ToList();
        var report = new CompareReport(
            DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'"), Machine.CpuModel(), Environment.ProcessorCount, options.Scale, Rounds,
            targets, Definition, results, incidents);
        Console.WriteLine();
        Console.WriteLine(CompareTable.Format(report));
        if (options.JsonFile is { } file)
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(report, new JsonSerializerOptions(JsonSerializerDefaults.Web)
            {
                WriteIndented = true,
                NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            }));
        return 0;
    }

    private static async Task<IEchoTarget> StartAsync(string name, string dir, BenchOptions options) => name switch
    {
        "bro-json" => await BroEchoTarget.StartAsync(dir, "json", options.GatewayEnv),
        "bro-msgpack" => await BroEchoTarget.StartAsync(dir, "msgpack", options.GatewayEnv),
        "grpc" => await GrpcEchoTarget.StartAsync(dir),
        _ => throw new ArgumentException($"unknown target {name}"),
    };

    private static async Task<CompareRun> MeasureAsync(IEchoTarget target, CompareShape shape, int round, bool warmUp)
    {
        var call = target.Echo(shape.PayloadBytes);
        if (warmUp)
            await LoadRunner.RunAsync(Math.Max(20, shape.Calls / 10), Math.Min(shape.InFlight, shape.Calls / 10 + 1), call);
        // The previous shape's garbage is not this one's to collect.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var client = ProcessProbe.CpuTime(target.ClientPid);
        var gateway = target.GatewayPid is { } gatewayPid ? ProcessProbe.CpuTime(gatewayPid) : TimeSpan.Zero;
        var server = ProcessProbe.CpuTime(target.ServerPid);
        var runtime = RuntimeCounters.Now();
        var load = await LoadRunner.RunAsync(shape.Calls, shape.InFlight, call);
        var counters = RuntimeCounters.Now().Since(runtime);
        double PerCall(TimeSpan cpu) => cpu.TotalMicroseconds / load.Calls;
        var run = new CompareRun(
            round + 1, load.CallsPerSecond, load.P50.TotalMilliseconds, load.P99.TotalMilliseconds, load.Elapsed.TotalSeconds,
            PerCall(ProcessProbe.CpuTime(target.ClientPid) - client),
            target.GatewayPid is { } pid ? PerCall(ProcessProbe.CpuTime(pid) - gateway) : null,
            PerCall(ProcessProbe.CpuTime(target.ServerPid) - server));
        Console.WriteLine(
            $"round {run.Round} {target.Name,-12} {shape.Name,-24} {run.CallsPerSecond,10:N0} calls/s  p50 {run.P50Ms:N3} ms  p99 {run.P99Ms:N3} ms  " +
            $"CPU {run.TotalCpuUsPerCall:N1} µs/call (client {run.ClientCpuUsPerCall:N1})  {counters}");
        return run;
    }

    private static void Add(Dictionary<(string, string), List<CompareRun>> runs, CompareShape shape, IEchoTarget target, CompareRun run)
    {
        if (!runs.TryGetValue((shape.Name, target.Name), out var list))
            runs[(shape.Name, target.Name)] = list = [];
        list.Add(run);
    }
}
