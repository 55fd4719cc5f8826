using System.Net;
using System.Net.Sockets;
using Xunit;
using Bro.Gateway.Tests.Support;

namespace Bro.Gateway.Tests.Metrics;

/// <summary><c>bro serve --metrics-port</c> as a user runs it.</summary>
public sealed class BroServeMetricsSpec : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bro-").FullName;

    private string SocketPath => Path.Combine(_directory, "gw.sock");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Bro_serve_with_a_metrics_port_serves_Prometheus_text_and_health()
    {
        var port = FreePort();
        await using var bro = BroProcess.Start("serve", "--socket", SocketPath, "--metrics-port", port.ToString());
        await bro.WaitForLineAsync("listening on " + SocketPath);
        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{port}/") };

        var health = await http.GetAsync("health");
        var metrics = await http.GetStringAsync("metrics");

        Assert.Equal((HttpStatusCode.OK, "Healthy"), (health.StatusCode, await health.Content.ReadAsStringAsync()));
        Assert.Contains($"bro_gateway_connections{{otel_scope_name=\"Bro.Gateway\"", metrics);
        Assert.Contains($"bro_gateway_socket=\"{SocketPath}\"", metrics);
        bro.Terminate();
        Assert.Equal(0, await bro.WaitForExitAsync());
    }

    [Fact]
    public async Task Bro_serve_refuses_a_metrics_port_in_use_with_one_line_and_exit_1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        await using var bro = BroProcess.Start("serve", "--socket", SocketPath, "--metrics-port", port.ToString());

        Assert.Equal(1, await bro.WaitForExitAsync());
        Assert.Contains($"bro: cannot serve metrics on localhost:{port}", bro.Output);
        Assert.False(File.Exists(SocketPath), "the socket file is left behind");
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
