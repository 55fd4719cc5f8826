using Akka.Configuration;
using Bro.Client.Contracts;
using Bro.Client.Hosting.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Bro.Client.Hosting;

/// <summary>
/// Puts <see cref="BroClient"/>s in a generic host's dependency injection: injectable as
/// <see cref="IBroClient"/> (or <see cref="BroClient"/>), keyed by service name when there are
/// several, with typed proxies and handler classes resolved per call.
/// </summary>
/// <remarks>
/// Akka.Hosting's <c>AddBroClient</c> on its builder cannot do this: that builder runs when the
/// actor system is made, after the container was built. These run on the service collection, and
/// the client still runs on the actor system of Akka.Hosting's <c>AddAkka</c>.
/// </remarks>
public static class BroClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds a <see cref="BroClient"/> to the container, on the actor system of Akka.Hosting's
    /// <c>AddAkka</c>. It is made when first resolved (a hosted service's constructor may take it
    /// before the host started: it is then set up but not connected), connected when the host
    /// starts, and disposed when the host stops (or its actor system shuts down, whichever is first).
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="options">The client's options; <see cref="BroClientOptions.ServiceName"/> is its key.</param>
    /// <param name="configure">Called with the client when it is made, after the builder's
    /// <see cref="BroClientBuilder.Serve{TService, TImplementation}"/> registrations; default none.</param>
    /// <returns>A builder to serve contracts with.</returns>
    /// <remarks>
    /// <para>Registered: <see cref="BroClient"/> and <see cref="IBroClient"/> keyed by the service
    /// name (<c>[FromKeyedServices("order-service")] IBroClient</c>), and unkeyed too, resolving to
    /// the only client (with several, an unkeyed resolution throws, naming them); a hosted service
    /// that connects it. Hosted services start in registration order: add a gateway the same host
    /// runs (<c>AddBroGateway</c>) before its clients.</para>
    /// <para>Not in Akka.Hosting's <c>ActorRegistry</c>: the registry holds actors, by type, and
    /// a client is no actor (its connection actors speak an internal protocol).</para>
    /// <para>A refusal by the gateway (CONNECTION_FAILED) fails the host's start. The client logs
    /// to the host's <c>ILoggerFactory</c> unless <see cref="BroClientOptions.LoggerFactory"/> names another.</para>
    /// </remarks>
    /// <exception cref="InvalidOperationException">A client of this service name was already added.</exception>
    public static BroClientBuilder AddBroClient(
        this IServiceCollection services, BroClientOptions options, Action<BroClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var name = options.ServiceName;
        if (services.Any(d => d.ImplementationInstance is HostedClientRegistration registered && registered.ServiceName == name))
            throw new InvalidOperationException($"A Bro client of service '{name}' was already added to these services");

        var registration = new HostedClientRegistration(options, configure);
        services.AddSingleton(registration);
        services.AddKeyedSingleton(name, (provider, _) => registration.CreateClient(provider));
        services.AddKeyedSingleton<IBroClient>(name, (provider, key) => provider.GetRequiredKeyedService<BroClient>(key));
        services.TryAddSingleton(OnlyClient);
        services.TryAddSingleton<IBroClient>(provider => provider.GetRequiredService<BroClient>());

        // Added, not TryAddEnumerable'd: that keys factories by their type, and would keep one client's only.
        services.AddSingleton<IHostedService>(provider => new BroClientHostedService(provider.GetRequiredKeyedService<BroClient>(name)));
        return new BroClientBuilder(services, registration);
    }

    /// <summary>
    /// <see cref="AddBroClient(IServiceCollection, BroClientOptions, Action{BroClient})"/> with
    /// options read from the <c>bro.client</c> section of <paramref name="config"/>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="config">Configuration holding <c>bro.client</c>.</param>
    /// <param name="configure">Called with the client when it is made; default none.</param>
    /// <returns>A builder to serve contracts with.</returns>
    public static BroClientBuilder AddBroClient(this IServiceCollection services, Config config, Action<BroClient>? configure = null) =>
        services.AddBroClient(BroClientOptions.FromConfig(config), configure);

    /// <summary>
    /// Registers the proxy of contract <typeparamref name="TService"/> (see
    /// <see cref="IBroClient.GetService{TService}"/>) as a singleton: it is stateless, and calls
    /// through the client that <paramref name="clientServiceName"/> names.
    /// </summary>
    /// <typeparam name="TService">An interface marked <see cref="BroServiceAttribute"/>.</typeparam>
    /// <param name="services">The host's services.</param>
    /// <param name="clientServiceName">The service name of the added client that makes the calls;
    /// <c>null</c> (default) for the only <see cref="IBroClient"/>.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddBroService<TService>(this IServiceCollection services, string? clientServiceName = null)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(provider => (clientServiceName is null
            ? provider.GetRequiredService<IBroClient>()
            : provider.GetRequiredKeyedService<IBroClient>(clientServiceName)).GetService<TService>());
        return services;
    }

    private static BroClient OnlyClient(IServiceProvider provider)
    {
        var names = provider.GetServices<HostedClientRegistration>().Select(r => r.ServiceName).ToArray();
        return names.Length == 1
            ? provider.GetRequiredKeyedService<BroClient>(names[0])
            : throw new InvalidOperationException(
                $"{names.Length} Bro clients were added ({string.Join(", ", names)}): take one by its service name, " +
                $"[FromKeyedServices(\"{names[0]}\")] IBroClient");
    }
}
