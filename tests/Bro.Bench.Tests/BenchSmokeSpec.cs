using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Bench.Tests;

/// <summary>
/// Keeps the harness from rotting: the <c>--quick</c> run (both drivers) must finish and report
/// every scenario in both encodings on both targets, and the accept storm must get every
/// connection registered. Only that the run worked is asserted, never how fast.
/// </summary>
[Collection(BenchCollection.Name)]
public sealed class BenchSmokeSpec(ITestOutputHelper output)
{
    private static readonly string[] Scenarios =
        ["seq-noop", "seq-echo-1k", "seq-echo-10k", "seq-echo-100k", "concurrent-10ms", "pipelined-noop", "nested-chain"];

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
}
