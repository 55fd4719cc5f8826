using Microsoft.CodeAnalysis;

namespace Bro.Client.Generators;

/// <summary>
/// The errors the contract generator reports. Ids are stable (users search them, the README
/// lists them, AnalyzerReleases.*.md tracks them); messages name the type or method at fault.
/// </summary>
public static class ContractDiagnostics
{
    private const string Category = "Bro.Contracts";

    /// <summary>BRO001: [BroService] on something other than an interface.</summary>
    public static readonly DiagnosticDescriptor NotAnInterface = Error(
        "BRO001",
        "[BroService] marks an interface",
        "'{0}' is not an interface: [BroService] marks an interface, for which a proxy and a registration are generated");

    /// <summary>BRO002: a generic contract, or one nested in a generic type.</summary>
    public static readonly DiagnosticDescriptor GenericInterface = Error(
        "BRO002",
        "A Bro contract cannot be generic",
        "Contract '{0}' is generic (or nested in a generic type): a Bro service has one fixed set of methods, so its contract cannot have type parameters");

    /// <summary>BRO003: an empty service name.</summary>
    public static readonly DiagnosticDescriptor EmptyServiceName = Error(
        "BRO003",
        "The service name of [BroService] is empty",
        "[BroService] on '{0}' has an empty service name: give the name the service registers under, e.g. [BroService(\"user-service\")]");

    /// <summary>BRO004: a method that does not return a task.</summary>
    public static readonly DiagnosticDescriptor UnsupportedReturnType = Error(
        "BRO004",
        "A Bro contract method returns Task, Task<T>, ValueTask or ValueTask<T>",
        "Method '{0}' returns '{1}': a Bro contract method is a remote call and returns Task, Task<T>, ValueTask or ValueTask<T>");

    /// <summary>BRO005: more than one request parameter, or a parameter that cannot travel.</summary>
    public static readonly DiagnosticDescriptor UnsupportedParameters = Error(
        "BRO005",
        "A Bro contract method takes at most one request parameter and an optional trailing CancellationToken",
        "Method '{0}' cannot be called remotely: {1}; a Bro contract method takes at most one request parameter, passed by value, then optionally a CancellationToken as its last parameter");

    /// <summary>BRO006: two methods of one contract mapping to one wire name.</summary>
    public static readonly DiagnosticDescriptor DuplicateMethodName = Error(
        "BRO006",
        "Two methods of a Bro contract map to the same remote method",
        "Methods '{0}' and '{1}' both map to remote method '{2}' of service '{3}' (overloads share a name on the wire): rename one or give it [BroMethod(\"name\")]");

    /// <summary>BRO007: an empty method name.</summary>
    public static readonly DiagnosticDescriptor EmptyMethodName = Error(
        "BRO007",
        "The method name of [BroMethod] is empty",
        "[BroMethod] on '{0}' has an empty method name: give the name the service registers, or remove the attribute to use the default");

    /// <summary>BRO008: a property, event or generic method in a contract.</summary>
    public static readonly DiagnosticDescriptor UnsupportedMember = Error(
        "BRO008",
        "A Bro contract has non-generic methods only",
        "'{0}' cannot be called remotely: a Bro contract has non-generic methods only (no properties, events or type parameters)");

    /// <summary>BRO009: a contract the generated code cannot see.</summary>
    public static readonly DiagnosticDescriptor InaccessibleInterface = Error(
        "BRO009",
        "A Bro contract is public or internal",
        "Contract '{0}' is private or protected: its proxy is generated beside it in the same assembly, so it must be public or internal, as must the types it is nested in");

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
