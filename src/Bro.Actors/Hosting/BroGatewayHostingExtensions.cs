using Akka.Actor;
using Bro.Configuration;
using Bro.Gateway;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bro.Hosting;

/// <summary>Runs a <see cref="BroGateway"/> inside a generic host, on the host's Akka.NET actor system.</summary>
public static class BroGatewayHostingExtensions
{
    /// <summary>
    /// Registers a <see cref="BroGateway"/> singleton on the <see cref="ActorSystem"/> that
    /// Akka.Hosting's <c>AddAkka</c> provides, started with the host and stopped with it (which
    /// closes its connections and deletes its socket file). Call it after <c>AddAkka</c>, so the
    /// actor system is up when the gateway starts.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="settings">The gateway's settings; <c>null</c> for the defaults (see <c>reference.conf</c>).</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddBroGateway(this IServiceCollection services, GatewaySettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(provider => new BroGateway(settings ?? GatewaySettings.Default, provider.GetRequiredService<ActorSystem>()));
        services.AddHostedService<BroGatewayHostedService>();
        return services;
    }
}
