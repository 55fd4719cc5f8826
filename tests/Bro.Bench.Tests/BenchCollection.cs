using Xunit;

namespace Bro.Bench.Tests;

/// <summary>
/// The specs that run the bench, one after the other: each starts a gateway and loads it, and
/// two at once on a 2-core machine starve each other (the quick run passed its 3 minute limit
/// beside the chaos run).
/// </summary>
[CollectionDefinition(Name)]
public sealed class BenchCollection
{
    public const string Name = "bench processes";
}
