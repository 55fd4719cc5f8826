using System.Diagnostics;
using System.Diagnostics.Metrics;
using Bro.Routing;

namespace Bro.Telemetry.Internal;

/// <summary>
/// The instruments of one gateway's <see cref="GatewayMeter"/>. Everything the router already
/// counts is observed (read when a listener collects, never touched by a frame); only the call
/// duration is recorded per call, and only while a listener has it enabled.
/// </summary>
/// <remarks>
/// Owned by the <see cref="CallRouter"/>, whose lifetime is the gateway's run: disposing it
/// disposes the meter, which ends every listener's subscription to these instruments.
/// </remarks>
internal sealed class GatewayInstruments : IDisposable
{
    // IPC round trips take tens of microseconds to seconds: the OpenTelemetry default buckets
    // (0 to 10,000, made for milliseconds) would put every call in the first one.
    private static readonly double[] DurationBuckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Meter _meter;
    private readonly KeyValuePair<string, object?> _socket;
    private readonly Histogram<double> _callDuration;

    /// <param name="socketPath">The gateway's socket, the value of <see cref="GatewayMeter.SocketTag"/>.</param>
    /// <param name="router">Whose counters are observed.</param>
    /// <param name="routes">Whose services are counted.</param>
    public GatewayInstruments(string socketPath, CallRouter router, RouteTable routes)
    {
        _meter = new Meter(GatewayMeter.Name, typeof(GatewayInstruments).Assembly.GetName().Version?.ToString(3));
        _socket = new KeyValuePair<string, object?>(GatewayMeter.SocketTag, socketPath);
        var socket = new[] { _socket };

        _meter.CreateObservableUpDownCounter("bro.gateway.connections", () => new Measurement<long>(router.Counters().Connections, socket),
            "{connection}", "Open connections, registered or not");
        _meter.CreateObservableUpDownCounter("bro.gateway.services", () => new Measurement<long>(routes.Count, socket),
            "{service}", "Registered services");
        _meter.CreateObservableCounter("bro.gateway.calls.routed", () => new Measurement<long>(router.Counters().CallsRouted, socket),
            "{call}", "CALLs forwarded to a target");
        _meter.CreateObservableCounter("bro.gateway.responses.routed", () => new Measurement<long>(router.Counters().ResponsesRouted, socket),
            "{response}", "RESPONSEs forwarded to a caller");
        _meter.CreateObservableCounter("bro.gateway.responses.dropped", () => new Measurement<long>(router.Counters().ResponsesDropped, socket),
            "{response}", "RESPONSEs that answered no call in flight, dropped");
        _meter.CreateObservableUpDownCounter("bro.gateway.calls.in_flight", () => new Measurement<long>(router.Counters().CallsInFlight, socket),
            "{call}", "CALLs forwarded and not answered yet");
        _meter.CreateObservableCounter("bro.gateway.errors", () => Errors(router),
            "{error}", "Error RESPONSEs the gateway answered itself, by error code (tag code)");
        _meter.CreateObservableCounter("bro.gateway.io", () => Bytes(router.Counters()),
            "By", "Bytes read from and written to service sockets (tag network.io.direction: receive, transmit)");
        _callDuration = _meter.CreateHistogram<double>("bro.gateway.call.duration", "s",
            "From a CALL's arrival to its target's RESPONSE forwarded, by target (tag rpc.service)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    /// <summary>Whether a listener wants call durations: only then does a CALL take a timestamp.</summary>
    public bool TimesCalls => _callDuration.Enabled;

    /// <summary>Records the duration of a call answered by its target; its timestamp was taken on arrival.</summary>
    public void CallAnswered(InFlightCall call) =>
        _callDuration.Record(Stopwatch.GetElapsedTime(call.StartedAt).TotalSeconds,
            _socket, new KeyValuePair<string, object?>("rpc.service", call.TargetName));

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> Errors(CallRouter router)
    {
        foreach (var (code, count) in router.ErrorCounts())
            yield return new Measurement<long>(count, _socket, new KeyValuePair<string, object?>("code", code));
    }

    private Measurement<long>[] Bytes(RouterCounters counters) =>
    [
        new(counters.BytesReceived, _socket, new KeyValuePair<string, object?>("network.io.direction", "receive")),
        new(counters.BytesSent, _socket, new KeyValuePair<string, object?>("network.io.direction", "transmit")),
    ];
}
