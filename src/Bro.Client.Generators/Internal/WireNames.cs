namespace Bro.Client.Generators.Internal;

/// <summary>The default remote name of a contract method.</summary>
internal static class WireNames
{
    private const string AsyncSuffix = "Async";

    /// <summary>
    /// The C# name without its <c>Async</c> suffix, first letter lower-cased
    /// (<c>GetUserByIdAsync</c> gives <c>getUserById</c>): the names Node services register.
    /// Only the first letter changes, so <c>GetURL</c> gives <c>getURL</c>.
    /// </summary>
    public static string FromMethodName(string name)
    {
        var stem = name.Length > AsyncSuffix.Length && name.EndsWith(AsyncSuffix, System.StringComparison.Ordinal)
            ? name.Substring(0, name.Length - AsyncSuffix.Length)
            : name;
        return char.ToLowerInvariant(stem[0]) + stem.Substring(1);
    }
}
