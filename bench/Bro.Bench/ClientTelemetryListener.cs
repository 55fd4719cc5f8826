using System.Diagnostics;
using System.Diagnostics.Metrics;
using Bro.Client.Telemetry;

namespace Bro.Bench;

/// <summary>
/// <c>--listen-telemetry</c>: the client driver's processes (the callers in the bench, every callee
/// role) record every <c>Bro.Client</c> activity with all its data, as a tracing backend sampling
/// everything would, and every <c>Bro.Client</c> measurement, so a run measures what a listener
/// costs the client. Set through an environment variable the callee processes inherit.
/// </summary>
internal static class ClientTelemetryListener
{
    /// <summary>The variable that turns the listeners on in this process and its children.</summary>
    public const string Variable = "BRO_BENCH_LISTEN_TELEMETRY";

    private static ActivityListener? _activities;
    private static MeterListener? _meters;
    private static long _recorded;

    /// <summary>Starts the listeners when <see cref="Variable"/> is set; called first in every role.</summary>
    public static void StartIfAsked()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
            return;
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == BroClientTracing.SourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _ => Interlocked.Increment(ref _recorded),
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ClientMeter.Name)
                    listener.EnableMeasurementEvents(instrument);
            },
        };
        _meters.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref _recorded));
        _meters.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _recorded));
        _meters.Start();
    }
}
