using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Bench.Tests;

/// <summary>
/// Keeps the harness from rotting: the <c>--quick</c> run (both drivers) must finish and report
/// every scenario in both encodings on both targets, and the accept storm must get every
/// connection registered; the gRPC target (<c>--driver grpc</c>) must run its shapes in every
/// round and print its table. Only that the runs worked is asserted, never how fast.
/// </summary>
[Collection(BenchCollection.Name)]
public sealed class BenchSmokeSpec(ITestOutputHelper output)
{
    private static readonly string[] Scenarios =
        [
            "seq-noop", "seq-echo-64", "seq-echo-1k", "seq-echo-10k", "seq-echo-100k", "seq-echo-1m", "concurrent-10ms", "pipelined-noop",
            "pipelined-echo-64", "nested-chain",
        ];

    private static readonly string[] RawScenarios =
        ["raw-pipelined", "raw-pipelined-x4", "raw-pipelined-x16", "raw-seq", "raw-seq-x4", "raw-seq-x16"];

    [Fact]
    public async Task Bench_quick_run_reports_every_scenario_with_calls_per_second()
    {
        var json = Path.Combine(Path.GetTempPath(), $"bro-bench-{Guid.NewGuid():N}.json");
        try
        {
            var (exitCode, text) = await BenchProcess.RunAsync(TimeSpan.FromMinutes(3), "--quick", "--json", json);
            output.WriteLine(text);
            Assert.Equal(0, exitCode);

            using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var results = report.RootElement.GetProperty("results").EnumerateArray().ToList();
            foreach (var encoding in new[] { "json", "msgpack" })
            foreach (var scenario in Scenarios)
            {
                var result = Assert.Single(results, r =>
                    r.GetProperty("scenario").GetString() == scenario && r.GetProperty("encoding").GetString() == encoding);
                Assert.True(result.GetProperty("gateway").GetProperty("callsPerSecond").GetDouble() > 0, $"{scenario} {encoding} gateway");
                Assert.True(result.GetProperty("floor").GetProperty("callsPerSecond").GetDouble() > 0, $"{scenario} {encoding} floor");
            }

            Assert.True(report.RootElement.GetProperty("idleConnections").GetProperty("connections").GetInt32() > 0);

            var raw = report.RootElement.GetProperty("raw");
            var rawResults = raw.GetProperty("results").EnumerateArray().ToList();
            foreach (var encoding in new[] { "json", "msgpack" })
            foreach (var scenario in RawScenarios)
            {
                var result = Assert.Single(rawResults, r =>
                    r.GetProperty("scenario").GetString() == scenario && r.GetProperty("encoding").GetString() == encoding);
                Assert.True(result.GetProperty("gateway").GetProperty("callsPerSecond").GetDouble() > 0, $"raw {scenario} {encoding} gateway");
                Assert.True(result.GetProperty("floor").GetProperty("callsPerSecond").GetDouble() > 0, $"raw {scenario} {encoding} floor");
            }

            var storms = raw.GetProperty("acceptStorms").EnumerateArray().ToList();
            Assert.NotEmpty(storms);
            foreach (var storm in storms)
                Assert.Equal(storm.GetProperty("connections").GetInt32(), storm.GetProperty("registered").GetInt32());
        }
        finally
        {
            File.Delete(json);
        }
    }

    // The 1 MB echo passes gRPC's default 4 MiB limits only because they were raised; cold and
    // warm make the second table. The other shapes differ from these only in size and depth.
    private static readonly string[] GrpcScenarios = ["cold-pipelined-echo-64", "seq-echo-1m", "pipelined-echo-64"];

    [Fact]
    public async Task Bench_grpc_driver_reports_every_shape_in_every_round_and_prints_the_table()
    {
        var json = Path.Combine(Path.GetTempPath(), $"bro-bench-grpc-{Guid.NewGuid():N}.json");
        try
        {
            // Each shape at its minimum call count, three rounds, in about 20 s.
            var (exitCode, text) = await BenchProcess.RunAsync(TimeSpan.FromMinutes(3),
                "--driver", "grpc", "--scale", "0.001", "--only", string.Join(',', GrpcScenarios), "--json", json);
            output.WriteLine(text);
            Assert.Equal(0, exitCode);
            Assert.Contains("| seq-echo-1m | grpc |", text);
            Assert.Contains("| grpc | 2000 |", text);

            using var report = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var results = report.RootElement.GetProperty("results").EnumerateArray().ToList();
            foreach (var scenario in GrpcScenarios)
            {
                var result = Assert.Single(results, r => r.GetProperty("scenario").GetString() == scenario);
                Assert.Equal("grpc", result.GetProperty("target").GetString());
                var runs = result.GetProperty("runs").EnumerateArray().ToList();
                Assert.Equal(report.RootElement.GetProperty("rounds").GetInt32(), runs.Count);
                Assert.All(runs, run => Assert.True(run.GetProperty("callsPerSecond").GetDouble() > 0, $"grpc {scenario}"));
            }
        }
        finally
        {
            File.Delete(json);
        }
    }

}
