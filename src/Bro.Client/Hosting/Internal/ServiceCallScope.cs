using Bro.Client.Contracts;
using Microsoft.Extensions.DependencyInjection;

namespace Bro.Client.Hosting.Internal;

/// <summary>
/// A DI scope made for one incoming call, and the handler class resolved in it. Not thread-safe:
/// used by the one call it was made for.
/// </summary>
/// <typeparam name="TService">The contract.</typeparam>
/// <typeparam name="TImplementation">The handler class, registered scoped.</typeparam>
internal sealed class ServiceCallScope<TService, TImplementation>(AsyncServiceScope scope) : IBroCallScope<TService>
    where TService : class
    where TImplementation : class, TService
{
    private TService? _service;

    /// <summary>
    /// Resolved on first use, which the generated code does inside its <c>await using</c>: a
    /// constructor that throws still gets the scope disposed.
    /// </summary>
    public TService Service => _service ??= scope.ServiceProvider.GetRequiredService<TImplementation>();

    public ValueTask DisposeAsync() => scope.DisposeAsync();
}
