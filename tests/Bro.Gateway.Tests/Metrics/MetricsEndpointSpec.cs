using System.Net;
using System.Net.Sockets;
using Bro.Gateway.Metrics;
using Bro.Protocol;
using Xunit;
using Xunit.Abstractions;
using Bro.Testing;

namespace Bro.Gateway.Tests.Metrics;

/// <summary><c>bro serve --metrics-port</c>'s HTTP endpoint: Prometheus text at /metrics, /health.</summary>
public sealed class MetricsEndpointSpec(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task The_endpoint_serves_the_calls_routed_as_Prometheus_text_and_health_until_the_gateway_stops()
    {
        await using var gateway = await TestGateway.StartAsync();
        var port = FreePort();
        await using var endpoint = MetricsEndpoint.Start(gateway.Gateway, port);
        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}/"), Timeout = Patience };

        await using (var caller = await RawPeer.RegisterAsync(gateway.Path, "caller"))
        await using (var callee = await RawPeer.RegisterAsync(gateway.Path, "callee"))
        {
            await caller.SendAsync(Messages.BuildCall("caller", "callee", "echo", null,
                CallContexts.Extend(CallContexts.Create("caller", TimeSpan.FromSeconds(30)), "callee")), BroEncoding.Json);
            var call = await callee.ReadAsync<CallMessage>();
            await callee.SendAsync(Messages.BuildSuccessResponse(call, data: null), BroEncoding.Json);
            await caller.ReadAsync<ResponseMessage>();
        }

        var metrics = await http.GetAsync("metrics");
        var text = await metrics.Content.ReadAsStringAsync();
        output.WriteLine(text);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal(1, Sample(text, "bro_gateway_calls_routed_total", gateway.Path));
        Assert.Equal(1, Sample(text, "bro_gateway_call_duration_seconds_count", gateway.Path));

        var healthy = await http.GetAsync("health");
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (healthy.StatusCode, await healthy.Content.ReadAsStringAsync()));

        await gateway.Gateway.StopAsync();

        var unhealthy = await http.GetAsync("health");
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), (unhealthy.StatusCode, await unhealthy.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Disposing_the_endpoint_frees_its_port()
    {
        await using var gateway = await TestGateway.StartAsync();
        var port = FreePort();
        await MetricsEndpoint.Start(gateway.Gateway, port).DisposeAsync();

        // Would throw HttpListenerException (address in use) were either listener still bound.
        await using var again = MetricsEndpoint.Start(gateway.Gateway, port);
        using var http = new HttpClient { Timeout = Patience };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://localhost:{port}/health")).StatusCode);
    }

    [Fact]
    public async Task A_port_in_use_is_refused_with_HttpListenerException()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();

        Assert.Throws<HttpListenerException>(() => MetricsEndpoint.Start(gateway.Gateway, ((IPEndPoint)squatter.LocalEndpoint).Port));
    }

    /// <summary>The value of the sample of <paramref name="metric"/> labelled with this gateway's socket.</summary>
    private static double Sample(string text, string metric, string socket)
    {
        var line = Assert.Single(text.Split('\n'),
            l => l.StartsWith(metric + "{", StringComparison.Ordinal) && l.Contains($"bro_gateway_socket=\"{socket}\"", StringComparison.Ordinal));
        // name{labels} value [timestamp]
        return double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
