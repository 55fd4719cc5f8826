using System.Diagnostics.CodeAnalysis;
using Bro.Client.Contracts;
using Bro.Client.Hosting.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bro.Client.Hosting;

/// <summary>
/// Sets up the client that <see cref="BroClientServiceCollectionExtensions.AddBroClient(IServiceCollection, BroClientOptions, Action{BroClient})"/>
/// added to a service collection. Registration time only: not thread-safe.
/// </summary>
public sealed class BroClientBuilder
{
    private readonly HostedClientRegistration _registration;

    internal BroClientBuilder(IServiceCollection services, HostedClientRegistration registration)
    {
        Services = services;
        _registration = registration;
    }

    /// <summary>The service collection the client was added to.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The client's service name, also its key in the container.</summary>
    public string ServiceName => _registration.ServiceName;

    /// <summary>
    /// Answers the methods of contract <typeparamref name="TService"/> with a
    /// <typeparamref name="TImplementation"/> resolved from the container per call: each incoming
    /// call gets a new scope, the implementation and its scoped dependencies are resolved in it,
    /// and the scope is disposed once the method completed. <typeparamref name="TImplementation"/>
    /// is registered scoped unless already registered (register it yourself for another lifetime).
    /// </summary>
    /// <typeparam name="TService">An interface marked <see cref="BroServiceAttribute"/> naming this client's service.</typeparam>
    /// <typeparam name="TImplementation">The handler class.</typeparam>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">No generated code exists for <typeparamref name="TService"/>,
    /// or its service name is not <see cref="ServiceName"/>.</exception>
    public BroClientBuilder Serve<TService, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TImplementation>()
        where TService : class
        where TImplementation : class, TService
    {
        // Now rather than when the host makes the client: a wrong contract fails the registration.
        BroContracts.EnsureServable<TService>(ServiceName);
        Services.TryAddScoped<TImplementation>();
        _registration.AddSetup(static (client, services) =>
        {
            var scopes = services.GetRequiredService<IServiceScopeFactory>();
            BroContracts.ServePerCall<TService>(
                client, () => new ServiceCallScope<TService, TImplementation>(scopes.CreateAsyncScope()));
        });
        return this;
    }
}
