using System.Net;
using System.Text;
using Bro.Hosting;
using Bro.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Bro.Gateway.Metrics;

/// <summary>
/// What <c>bro serve --metrics-port N</c> serves over HTTP on <c>localhost:N</c>: the gateway's
/// metrics as Prometheus text at <c>/metrics</c>, and <c>/health</c>, answering 200
/// <c>Healthy</c> while the gateway listens and 503 <c>Unhealthy</c> otherwise.
/// </summary>
/// <remarks>
/// <para><c>/metrics</c> is OpenTelemetry's Prometheus exporter on its own
/// <see cref="HttpListener"/>, collecting the <see cref="GatewayMeter"/> meters (of every
/// gateway in the process, told apart by their socket tag) and .NET's <c>System.Runtime</c>
/// meter (GC, thread pool, CPU). <c>/health</c> is a second listener on the same port, which
/// <see cref="HttpListener"/> shares by path prefix. Both listen on the loopback interface only:
/// a scraper on another machine goes through a local agent or a proxy.</para>
/// <para>The measurements cost the gateway nothing until a scrape reads them, except the
/// call-duration histogram, which times each call while the endpoint runs.</para>
/// <para>Wiring, in the console: <c>await using var metrics = MetricsEndpoint.Start(gateway, port);</c>
/// once the gateway is made (before or after it starts: <c>/health</c> says 503 until it
/// listens), kept until the process ends; a taken port throws
/// <see cref="HttpListenerException"/>, a one-line error for the user.</para>
/// </remarks>
internal static class MetricsEndpoint
{
    /// <summary>Starts serving; dispose the result to stop (the port is free again once it completes).</summary>
    /// <param name="gateway">Whose health <c>/health</c> reports.</param>
    /// <param name="port">The TCP port on localhost.</param>
    /// <exception cref="HttpListenerException">The port is taken.</exception>
    public static IAsyncDisposable Start(BroGateway gateway, int port)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);

        var health = new HttpListener();
        health.Prefixes.Add($"http://localhost:{port}/health/");
        health.Start();
        MeterProvider metrics;
        try
        {
            metrics = Sdk.CreateMeterProviderBuilder()
                .AddMeter(GatewayMeter.Name, "System.Runtime")
                .AddPrometheusHttpListener(options =>
                {
                    options.Host = "localhost";
                    options.Port = port;
                    options.ScrapeEndpointPath = "/metrics";
                    // Every scrape reads the gateway now: a scraper comes every few seconds at
                    // most, and a reply cached from before a change would only mislead.
                    options.ScrapeResponseCacheDurationMilliseconds = 0;
                })
                .Build();
        }
        catch
        {
            health.Close();
            throw;
        }

        return new Running(gateway, health, metrics);
    }

    private sealed class Running : IAsyncDisposable
    {
        private static readonly byte[] Healthy = Encoding.UTF8.GetBytes("Healthy");
        private static readonly byte[] Unhealthy = Encoding.UTF8.GetBytes("Unhealthy");

        private readonly BroGateway _gateway;
        private readonly HttpListener _health;
        private readonly MeterProvider _metrics;
        private readonly Task _serving;

        public Running(BroGateway gateway, HttpListener health, MeterProvider metrics)
        {
            _gateway = gateway;
            _health = health;
            _metrics = metrics;
            _serving = ServeHealthAsync();
        }

        public async ValueTask DisposeAsync()
        {
            _health.Close();
            await _serving.ConfigureAwait(false);
            _metrics.Dispose();
        }

        private async Task ServeHealthAsync()
        {
            while (true)
            {
                HttpListenerContext context;
                try
                {
                    context = await _health.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return; // closed
                }

                // A flag read and a few bytes: answered on the accept loop, one probe at a time.
                var running = _gateway.IsRunning;
                var body = running ? Healthy : Unhealthy;
                var response = context.Response;
                response.StatusCode = running ? 200 : 503;
                response.ContentType = "text/plain; charset=utf-8";
                response.ContentLength64 = body.Length;
                try
                {
                    await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
                    response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
                {
                    // The prober hung up first.
                }
            }
        }
    }
}
