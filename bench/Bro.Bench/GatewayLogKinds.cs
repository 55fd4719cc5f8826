using System.Text;

namespace Bro.Bench;

/// <summary>
/// Groups a gateway's log lines by kind, so a rare warning is not hidden behind a thousand of a
/// common one: a line's kind is its text without the Akka prefix (level, time, thread, actor
/// path) and with every digit run read as one "#".
/// </summary>
internal static class GatewayLogKinds
{
    private const int MaxKinds = 20;
    private const int KindLength = 120;

    /// <summary>Up to <see cref="MaxKinds"/> kinds, most frequent first, each as "N x first line".</summary>
    public static IReadOnlyList<string> Summarize(IEnumerable<string> lines)
    {
        var kinds = new Dictionary<string, (int Count, string First, int Order)>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var kind = Kind(line);
            kinds[kind] = kinds.TryGetValue(kind, out var seen) ? seen with { Count = seen.Count + 1 } : (1, line, kinds.Count);
        }

        return [.. kinds.Values.OrderByDescending(k => k.Count).ThenBy(k => k.Order).Take(MaxKinds).Select(k => $"{k.Count:N0} x {k.First}")];
    }

    private static string Kind(string line)
    {
        var text = line.AsSpan();
        // Akka's prefix is a run of bracketed fields: "[WARNING][time][Thread n][akka://...] text".
        while (text.Length > 0 && text[0] == '[' && text.IndexOf(']') is var end and > 0)
            text = text[(end + 1)..].TrimStart();
        var kind = new StringBuilder(KindLength);
        foreach (var c in text)
        {
            if (kind.Length == KindLength)
                break;
            if (!char.IsAsciiDigit(c))
                kind.Append(c);
            else if (kind.Length == 0 || kind[^1] != '#')
                kind.Append('#');
        }

        return kind.ToString();
    }
}
