using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Bro.Telemetry;

namespace Bro.Examples.GatewayMetrics;

/// <summary>
/// Reads the <c>Bro.Gateway</c> meter with a <see cref="MeterListener"/>, as a metrics backend
/// would: the gateway's counters are observable (they report when collected), the call duration is
/// a histogram (it reports each call as it is answered).
/// </summary>
public sealed class GatewayMetricsReader : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _latest = new();
    private readonly ConcurrentDictionary<string, (long Count, double Sum)> _histograms = new();

    /// <summary>Listens to the gateway meters created from now on: start it before the gateway.</summary>
    public GatewayMetricsReader()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == GatewayMeter.Name)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _latest[Key(instrument, tags)] = value);
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            _histograms.AddOrUpdate(Key(instrument, tags), (1, value), (_, h) => (h.Count + 1, h.Sum + value)));
        _listener.Start();
    }

    /// <summary>Collects the observable instruments and prints every value, one line each, by name.</summary>
    public void Print()
    {
        _listener.RecordObservableInstruments();
        foreach (var (key, value) in _latest.OrderBy(p => p.Key, StringComparer.Ordinal))
            Console.WriteLine($"{key,-48} {value}");
        foreach (var (key, (count, sum)) in _histograms.OrderBy(p => p.Key, StringComparer.Ordinal))
            Console.WriteLine($"{key,-48} {count} calls, mean {sum / count * 1000:F3} ms");
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    // "name{tag=value,...}", leaving out the socket tag: this process runs one gateway.
    private static string Key(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var shown = new List<string>();
        foreach (var (name, value) in tags)
        {
            if (name != GatewayMeter.SocketTag)
                shown.Add($"{name}={value}");
        }

        return shown.Count == 0 ? instrument.Name : $"{instrument.Name}{{{string.Join(',', shown)}}}";
    }
}
