using System.Globalization;

namespace Bro.Gateway.Commands;

/// <summary>How the subcommands write times, durations and tables for people.</summary>
internal static class Format
{
    /// <summary>A time as <c>2026-11-26 13:20:01</c>, local.</summary>
    public static string Time(DateTimeOffset time) =>
        time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>A duration as <c>2d 3h</c>, <c>1h 2m</c>, <c>4m 5s</c> or <c>6.2s</c>.</summary>
    public static string Duration(long milliseconds)
    {
        var t = TimeSpan.FromMilliseconds(milliseconds);
        return t.TotalDays >= 1 ? $"{(int)t.TotalDays}d {t.Hours}h"
            : t.TotalHours >= 1 ? $"{t.Hours}h {t.Minutes}m"
            : t.TotalMinutes >= 1 ? $"{t.Minutes}m {t.Seconds}s"
            : t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s";
    }

    /// <summary>Writes a table: a header row, then one row each, columns padded to their widest cell.</summary>
    public static void Table(TextWriter output, string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = new int[header.Length];
        foreach (var row in all)
        {
            for (var i = 0; i < row.Length; i++)
                widths[i] = Math.Max(widths[i], row[i].Length);
        }

        foreach (var row in all)
            output.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
    }
}
