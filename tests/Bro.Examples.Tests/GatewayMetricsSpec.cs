using Bro.Examples.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Examples.Tests;

/// <summary>examples/GatewayMetrics: the Bro.Gateway meter read by a MeterListener.</summary>
public sealed class GatewayMetricsSpec(ITestOutputHelper log)
{
    [Fact]
    public async Task GatewayMetrics_prints_the_calls_routed_the_gateways_own_errors_and_the_call_durations()
    {
        var (exitCode, lines) = await ExampleProcess.RunAsync("GatewayMetrics", log);

        Assert.Equal(0, exitCode);
        Assert.Contains("missing-service.echo -> SERVICE_NOT_FOUND", lines);
        var metrics = lines.SkipWhile(l => l != "Bro.Gateway meter:").Skip(1)
            .Select(l => l.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1].Trim());
        Assert.Equal("5", metrics["bro.gateway.calls.routed"]);
        Assert.Equal("5", metrics["bro.gateway.responses.routed"]);
        Assert.Equal("0", metrics["bro.gateway.calls.in_flight"]);
        Assert.Equal("1", metrics["bro.gateway.errors{code=SERVICE_NOT_FOUND}"]);
        Assert.Equal("2", metrics["bro.gateway.services"]);
        Assert.Equal("2", metrics["bro.gateway.connections"]);
        Assert.StartsWith("5 calls, mean ", metrics["bro.gateway.call.duration{rpc.service=echo-service}"]);
        Assert.True(long.Parse(metrics["bro.gateway.io{network.io.direction=receive}"]) > 0);
    }
}
