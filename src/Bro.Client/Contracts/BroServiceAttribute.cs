namespace Bro.Client.Contracts;

/// <summary>
/// Marks an interface as the contract of a Bro service: the source generator shipped with
/// Bro.Client emits a proxy (<see cref="BroClient.GetService{TService}"/>) and a registration
/// (<see cref="BroClient.Serve{TService}"/>) for it at compile time.
/// </summary>
/// <remarks>
/// Each method is a remote method named by <see cref="BroMethodAttribute"/>, else by its C# name
/// without the <c>Async</c> suffix, first letter lower-cased (<c>GetUserByIdAsync</c> is
/// <c>getUserById</c>). A method returns <see cref="Task"/>, <see cref="Task{TResult}"/>,
/// <see cref="ValueTask"/> or <see cref="ValueTask{TResult}"/> and takes at most one request
/// parameter, then optionally a <see cref="CancellationToken"/>. What cannot work is a compiler
/// error BRO001 to BRO009 (see the README).
/// </remarks>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
public sealed class BroServiceAttribute : Attribute
{
    /// <summary>Marks the contract of the service registered as <paramref name="name"/>.</summary>
    /// <param name="name">The service name on the gateway (the callee's <see cref="BroClientOptions.ServiceName"/>).</param>
    public BroServiceAttribute(string name) => Name = name;

    /// <summary>The service name on the gateway.</summary>
    public string Name { get; }
}
