using System.Reflection;

namespace Bro.Examples.Tests.Support;

/// <summary>Where the projects this test project references were built (recorded by its csproj).</summary>
public static class BuiltAssembly
{
    /// <summary>The full path of the assembly named <paramref name="name"/>, e.g. <c>Bro.Examples.UserService</c>.</summary>
    public static string PathOf(string name) =>
        typeof(BuiltAssembly).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == $"built:{name}")?.Value
        ?? throw new ArgumentException($"Bro.Examples.Tests references no project building {name}", nameof(name));
}
