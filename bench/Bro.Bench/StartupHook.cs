using System.Diagnostics.Metrics;
using Bro.Telemetry;

/// <summary>
/// <c>--listen-metrics</c>: loaded into the gateway process through <c>DOTNET_STARTUP_HOOKS</c>
/// before its Main, it listens to every <see cref="GatewayMeter"/> instrument as a metrics
/// backend does (each measurement counted, the observable instruments read every second, as
/// <c>dotnet-counters</c> does by default), so a run measures what a listener costs the gateway.
/// </summary>
/// <remarks>The runtime finds the hook by this exact name, outside any namespace.</remarks>
internal static class StartupHook
{
    private static MeterListener? _listener;
    private static Timer? _collector;
    private static long _measurements;
    private static int _announced;

    /// <summary>Called by the runtime in the gateway process, before its Main.</summary>
    public static void Initialize()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name != GatewayMeter.Name)
                    return;
                l.EnableMeasurementEvents(instrument);
                // Once, in the gateway's output: the run shows the listener was there.
                if (Interlocked.Exchange(ref _announced, 1) == 0)
                    Console.Error.WriteLine($"bench: a MeterListener reads {GatewayMeter.Name} (--listen-metrics)");
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref _measurements));
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _measurements));
        listener.Start();
        _listener = listener;
        _collector = new Timer(_ => listener.RecordObservableInstruments(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }
}
