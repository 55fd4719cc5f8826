namespace Bro.Client.Generators.Internal;

/// <summary>
/// What the emitter needs of one [BroService] interface: names as C# source text (types fully
/// qualified with <c>global::</c>), nothing that holds a symbol or a syntax tree.
/// </summary>
/// <param name="Namespace">The interface's namespace; empty for the global namespace.</param>
/// <param name="InterfaceType">The interface, fully qualified.</param>
/// <param name="TypeStem">The generated types' names start with it (<c>IUserService</c> gives <c>UserService</c>).</param>
/// <param name="HintName">The generated file's name.</param>
/// <param name="ServiceName">The service name on the gateway.</param>
/// <param name="Methods">The remote methods, the interface's own and its base interfaces'.</param>
internal sealed record ContractModel(
    string Namespace,
    string InterfaceType,
    string TypeStem,
    string HintName,
    string ServiceName,
    EquatableArray<MethodModel> Methods);
