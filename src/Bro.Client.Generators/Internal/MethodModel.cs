namespace Bro.Client.Generators.Internal;

/// <summary>One remote method of a contract (types as fully qualified C# source text).</summary>
/// <param name="DeclaringInterface">The interface declaring it (the proxy implements it explicitly there).</param>
/// <param name="Name">Its C# name.</param>
/// <param name="WireName">The method name on the wire.</param>
/// <param name="Returns">The shape of its task.</param>
/// <param name="ResultType">The task's result type; <c>null</c> for a plain Task or ValueTask.</param>
/// <param name="ReturnType">The declared return type.</param>
/// <param name="RequestType">The request parameter's type; <c>null</c> without one.</param>
/// <param name="RequestName">The request parameter's name.</param>
/// <param name="TokenName">The CancellationToken parameter's name; <c>null</c> without one.</param>
internal sealed record MethodModel(
    string DeclaringInterface,
    string Name,
    string WireName,
    ReturnShape Returns,
    string? ResultType,
    string ReturnType,
    string? RequestType,
    string? RequestName,
    string? TokenName);
