using Akka.Actor;
using Bro.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

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
    /// <param name="settings">The gateway's settings; <c>null</c> (default) to read the <c>bro.gateway</c>
    /// section of the actor system's configuration (what Akka.Hosting's <c>AddHocon</c> added), every
    /// key it does not set taking the default of <c>reference.conf</c>.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddBroGateway(this IServiceCollection services, GatewaySettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(provider =>
        {
            var system = provider.GetRequiredService<ActorSystem>();
            return new BroGateway(settings ?? GatewaySettings.Create(system.Settings.Config), system);
        });
        services.AddHostedService<BroGatewayHostedService>();
        return services;
    }

    /// <summary>
    /// Adds a health check of the <see cref="BroGateway"/> that <see cref="AddBroGateway(IServiceCollection, GatewaySettings)"/>
    /// registered: healthy while it listens, <paramref name="failureStatus"/> (default unhealthy)
    /// before it started, after it stopped and after its listener failed.
    /// </summary>
    /// <param name="builder">The host's health checks.</param>
    /// <param name="name">The check's name; default <c>bro-gateway</c>.</param>
    /// <param name="failureStatus">What a gateway that is not running reports; <c>null</c> for unhealthy.</param>
    /// <param name="tags">Tags to filter checks by (a readiness or liveness probe, say).</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IHealthChecksBuilder AddBroGateway(
        this IHealthChecksBuilder builder, string name = "bro-gateway", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name, provider => new BroGatewayHealthCheck(provider.GetRequiredService<BroGateway>()), failureStatus, tags));
    }
}
