namespace Bro.Routing;

/// <summary>The names of <see cref="BalancingStrategy"/> in HOCON and REGISTER metadata.</summary>
internal static class BalancingStrategies
{
    /// <summary>The names accepted, in the order of the enum: <c>round-robin</c>, <c>least-in-flight</c>, <c>random</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["round-robin", "least-in-flight", "random"];

    /// <summary>The strategy named <paramref name="name"/> (case-insensitive); false for any other name.</summary>
    public static bool TryParse(string? name, out BalancingStrategy strategy)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            if (string.Equals(name, Names[i], StringComparison.OrdinalIgnoreCase))
            {
                strategy = (BalancingStrategy)i;
                return true;
            }
        }

        strategy = BalancingStrategy.RoundRobin;
        return false;
    }

    /// <summary>The name of <paramref name="strategy"/>, as <see cref="TryParse"/> reads it.</summary>
    public static string ToName(this BalancingStrategy strategy) => Names[(int)strategy];
}
