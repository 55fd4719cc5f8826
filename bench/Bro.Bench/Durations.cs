using System.Globalization;

namespace Bro.Bench;

/// <summary>Durations on the command line: a number and a unit, <c>500ms</c>, <c>30s</c>, <c>10m</c>, <c>1h</c>.</summary>
internal static class Durations
{
    public static TimeSpan Parse(string text)
    {
        // "ms" before "m" and "s": the longest unit that ends the text wins.
        foreach (var (unit, scale) in new[] { ("ms", 1.0), ("s", 1_000.0), ("m", 60_000.0), ("h", 3_600_000.0) })
        {
            if (text.EndsWith(unit, StringComparison.Ordinal)
                && double.TryParse(text[..^unit.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                && value >= 0)
                return TimeSpan.FromMilliseconds(value * scale);
        }

        throw new ArgumentException($"{text} is not a duration: expected a number and ms, s, m or h (30s, 10m)");
    }
}
