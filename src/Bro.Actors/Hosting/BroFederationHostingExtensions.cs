using Akka.Hosting;
using Bro.Federation;

namespace Bro.Hosting;

/// <summary>Makes the host's Akka.Hosting actor system a member of a cluster of Bro gateways.</summary>
public static class BroFederationHostingExtensions
{
    /// <summary>
    /// Adds <see cref="FederationConfig.For"/> ahead of the host's configuration: the cluster
    /// provider, remoting on <see cref="FederationSettings.Port"/>, the seed nodes, the
    /// split-brain resolver and Bro's serializer. Pair it with <c>AddBroGateway</c> given the same
    /// settings (<see cref="Configuration.GatewaySettings.Cluster"/>), and name the actor system
    /// <see cref="FederationSettings.SystemName"/> (<c>AddAkka("bro", ...)</c>) so that seed
    /// addresses read <c>akka.tcp://bro@host:port</c>.
    /// </summary>
    /// <param name="builder">The host's Akka configuration.</param>
    /// <param name="settings">How this gateway joins the others.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static AkkaConfigurationBuilder WithBroFederation(this AkkaConfigurationBuilder builder, FederationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddHocon(FederationConfig.For(settings), HoconAddMode.Prepend);
    }
}
