using Xunit;

namespace Bro.Client.Tests.Support;

/// <summary>Specs that read <see cref="Console.Out"/>: run alone, so no other spec writes to it meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
