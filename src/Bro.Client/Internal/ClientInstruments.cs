using System.Diagnostics;
using System.Diagnostics.Metrics;
using Bro.Client.Telemetry;

namespace Bro.Client.Internal;

/// <summary>
/// The instruments of the <see cref="ClientMeter"/>, shared by every client in the process.
/// </summary>
/// <remarks>
/// Each recording is guarded by its instrument's <c>Enabled</c>, so a call costs one field read
/// while nobody listens; when one does, the tags go in a <see cref="TagList"/> (a struct: up to
/// eight tags without an allocation).
/// </remarks>
internal static class ClientInstruments
{
    // IPC round trips take tens of microseconds to seconds: the OpenTelemetry default buckets
    // (0 to 10,000, made for milliseconds) would put every call in the first one.
    private static readonly double[] DurationBuckets =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly Meter Meter = new(ClientMeter.Name, typeof(ClientInstruments).Assembly.GetName().Version?.ToString(3));

    private static readonly Counter<long> Calls = Meter.CreateCounter<long>("bro.client.calls", "{call}",
        "Calls made, by target (rpc.service), method (rpc.method) and outcome");

    private static readonly Histogram<double> CallDuration = Meter.CreateHistogram<double>("bro.client.call.duration", "s",
        "From a call's start to its end (response, error, timeout or cancellation), by target, method and outcome",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    private static readonly Histogram<double> HandlerDuration = Meter.CreateHistogram<double>("bro.client.handler.duration", "s",
        "How long this client's handlers ran, by method (rpc.method) and outcome",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    private static readonly Counter<long> Reconnects = Meter.CreateCounter<long>("bro.client.reconnects", "{reconnect}",
        "Connections registered again after they were lost");

    /// <summary>Whether a listener wants calls measured: only then does a call read the clock.</summary>
    public static bool MeasuresCalls => Calls.Enabled || CallDuration.Enabled;

    /// <summary>Records a call that ended; <paramref name="startedAt"/> is its <see cref="Stopwatch"/> timestamp.</summary>
    public static void CallEnded(string client, string target, string method, string outcome, long startedAt)
    {
        var tags = new TagList
        {
            { ClientMeter.ServiceTag, client },
            { "rpc.service", target },
            { "rpc.method", method },
            { ClientMeter.OutcomeTag, outcome },
        };
        Calls.Add(1, in tags);
        if (CallDuration.Enabled)
            CallDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, in tags);
    }

    /// <summary>Records a handler that ran from <paramref name="startedAt"/> (a <see cref="Stopwatch"/> timestamp) until now.</summary>
    public static void HandlerEnded(string client, string method, string outcome, long startedAt)
    {
        if (!HandlerDuration.Enabled)
            return;
        var tags = new TagList
        {
            { ClientMeter.ServiceTag, client },
            { "rpc.method", method },
            { ClientMeter.OutcomeTag, outcome },
        };
        HandlerDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, in tags);
    }

    /// <summary>Counts a connection of <paramref name="client"/> registered again after it was lost.</summary>
    public static void Reconnected(string client)
    {
        if (Reconnects.Enabled)
            Reconnects.Add(1, new KeyValuePair<string, object?>(ClientMeter.ServiceTag, client));
    }
}
