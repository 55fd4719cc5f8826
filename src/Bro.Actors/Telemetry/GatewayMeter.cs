namespace Bro.Telemetry;

/// <summary>
/// The name of the gateway's <see cref="System.Diagnostics.Metrics.Meter"/> and of the tags its
/// measurements carry: what a listener (<c>dotnet-counters</c>, an OpenTelemetry
/// <c>MeterProvider</c>, a <see cref="System.Diagnostics.Metrics.MeterListener"/>) subscribes to.
/// </summary>
/// <remarks>
/// Each running gateway has a meter of its own, created when it starts and disposed when it
/// stops; every measurement carries <see cref="SocketTag"/>, so several gateways in one process
/// are told apart. The instruments are listed in README.md ("Metrics and health").
/// </remarks>
public static class GatewayMeter
{
    /// <summary>The meter's name: <c>Bro.Gateway</c>.</summary>
    public const string Name = "Bro.Gateway";

    /// <summary>The tag naming the gateway a measurement comes from: its socket path.</summary>
    public const string SocketTag = "bro.gateway.socket";
}
