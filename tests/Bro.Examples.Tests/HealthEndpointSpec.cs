using System.Net;
using Bro.Examples.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Examples.Tests;

/// <summary>examples/HealthEndpoint: an ASP.NET host serving /health for its gateway and client.</summary>
public sealed class HealthEndpointSpec(ITestOutputHelper log) : IDisposable
{
    private readonly TempSocket _socket = new();

    public void Dispose() => _socket.Dispose();

    [Fact]
    public async Task HealthEndpoint_answers_200_with_the_gateway_and_the_client_healthy_and_stops_on_SIGTERM()
    {
        // Port 0: the system picks a free one, which Kestrel logs.
        await using var host = ExampleProcess.Start("HealthEndpoint", log, _socket.Environment, "--urls", "http://127.0.0.1:0");
        var listening = await host.WaitForLineAsync("Now listening on: ");
        var url = listening[(listening.IndexOf("http://", StringComparison.Ordinal))..].Trim();

        using var http = new HttpClient();
        using var response = await http.GetAsync($"{url}/health");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
        [
            "Healthy",
            $"bro-gateway: Healthy (The Bro gateway listens on {_socket.Path})",
            $"bro-client-order-service: Healthy (The Bro client 'order-service' is registered at {_socket.Path})",
        ], body.TrimEnd('\n').Split('\n'));

        host.Terminate();
        Assert.Equal(0, await host.WaitForExitAsync());
        Assert.False(File.Exists(_socket.Path), "the host stops its gateway, which removes its socket file");
    }
}
