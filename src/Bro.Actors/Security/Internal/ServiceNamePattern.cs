namespace Bro.Security.Internal;

/// <summary>
/// A glob over service names: <c>*</c> matches any run of characters (none included), <c>?</c>
/// exactly one, anything else itself, case-sensitively as service names are. Matched without
/// allocating; the common shapes (exact name, prefix + <c>*</c>, lone <c>*</c>) take a shortcut.
/// </summary>
internal sealed class ServiceNamePattern
{
    private readonly string _pattern;
    private readonly Shape _shape;
    private readonly string _prefix;

    private enum Shape { Exact, Prefix, Glob }

    public ServiceNamePattern(string pattern)
    {
        _pattern = pattern;
        var wildcard = pattern.AsSpan().IndexOfAny('*', '?');
        if (wildcard < 0)
            (_shape, _prefix) = (Shape.Exact, pattern);
        else if (wildcard == pattern.Length - 1 && pattern[^1] == '*')
            (_shape, _prefix) = (Shape.Prefix, pattern[..^1]);
        else
            (_shape, _prefix) = (Shape.Glob, string.Empty);
    }

    /// <summary>Whether <paramref name="name"/> matches the whole pattern.</summary>
    public bool Matches(string name) => _shape switch
    {
        Shape.Exact => string.Equals(name, _prefix, StringComparison.Ordinal),
        Shape.Prefix => name.StartsWith(_prefix, StringComparison.Ordinal),
        _ => Glob(_pattern, name),
    };

    /// <inheritdoc />
    public override string ToString() => _pattern;

    private static bool Glob(ReadOnlySpan<char> pattern, ReadOnlySpan<char> name)
    {
        // The classic two-pointer match: on a mismatch, the last '*' takes one more character.
        // Linear in practice, never exponential.
        int p = 0, n = 0, star = -1, starName = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || (pattern[p] != '*' && pattern[p] == name[n])))
            {
                p++;
                n++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                starName = n;
            }
            else if (star >= 0)
            {
                p = star + 1;
                n = ++starName;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
            p++;
        return p == pattern.Length;
    }
}
