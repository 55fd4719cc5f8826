namespace Bro.Client.Contracts;

/// <summary>
/// Names the remote method a contract method stands for, when the default (the C# name without
/// <c>Async</c>, first letter lower-cased) is not the name the service registers.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class BroMethodAttribute : Attribute
{
    /// <summary>Names the remote method <paramref name="name"/>.</summary>
    /// <param name="name">The method name on the wire, as the service registers it.</param>
    public BroMethodAttribute(string name) => Name = name;

    /// <summary>The method name on the wire.</summary>
    public string Name { get; }
}
