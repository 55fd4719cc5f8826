using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Bro.Testing;

/// <summary>One measurement a <see cref="MeterCapture"/> saw.</summary>
/// <param name="Instrument">The instrument's name.</param>
/// <param name="Value">The value, as a double.</param>
/// <param name="Tags">Its tags.</param>
public sealed record CapturedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    /// <summary>The tag's value as a string; <c>null</c> when absent.</summary>
    public string? Tag(string name) => Tags.TryGetValue(name, out var value) ? value?.ToString() : null;
}

/// <summary>
/// A <see cref="MeterListener"/> on one meter name that keeps every measurement, as a metrics
/// backend would see them. Observable instruments report when <see cref="Observe"/> is called.
/// </summary>
public sealed class MeterCapture : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<CapturedMeasurement> _recorded = new();

    /// <summary>Listens to every instrument of the meters named <paramref name="meterName"/>, now and later.</summary>
    public MeterCapture(string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Keep(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Keep(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Keep(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The measurements recorded so far (by instruments that record as things happen).</summary>
    public IReadOnlyList<CapturedMeasurement> Recorded(string instrument) =>
        [.. _recorded.Where(m => m.Instrument == instrument)];

    /// <summary>What the observable instruments report now.</summary>
    public IReadOnlyList<CapturedMeasurement> Observe()
    {
        var before = _recorded.Count;
        _listener.RecordObservableInstruments();
        return [.. _recorded.Skip(before)];
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void Keep(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, tagValue) in tags)
            copy[key] = tagValue;
        _recorded.Enqueue(new CapturedMeasurement(instrument.Name, value, copy));
    }
}
