namespace Bro.Client.Telemetry;

/// <summary>
/// The name of the clients' <see cref="System.Diagnostics.Metrics.Meter"/> and of the tags its
/// measurements carry: what a listener (<c>dotnet-counters</c>, an OpenTelemetry
/// <c>MeterProvider</c>, a <see cref="System.Diagnostics.Metrics.MeterListener"/>) subscribes to.
/// </summary>
/// <remarks>
/// One meter serves every <see cref="BroClient"/> in the process; each measurement carries
/// <see cref="ServiceTag"/>, the name of the client it comes from. Nothing is measured (no clock
/// read, no tag built) while no listener has an instrument enabled. The instruments are listed in
/// README.md ("Metrics and health").
/// </remarks>
public static class ClientMeter
{
    /// <summary>The meter's name: <c>Bro.Client</c>.</summary>
    public const string Name = "Bro.Client";

    /// <summary>The tag naming the client a measurement comes from: its service name.</summary>
    public const string ServiceTag = "bro.client.service";

    /// <summary>
    /// The tag saying how a call or a handler ended: <see cref="Success"/>, <see cref="Cancelled"/>,
    /// or the error code (TIMEOUT, CONNECTION_LOST, the handler's own code...).
    /// </summary>
    public const string OutcomeTag = "outcome";

    /// <summary>The outcome of a call answered with a success RESPONSE, or of a handler that returned.</summary>
    public const string Success = "success";

    /// <summary>The outcome of a call its caller cancelled.</summary>
    public const string Cancelled = "cancelled";
}
