using Akka.Configuration;

namespace Bro.Federation;

/// <summary>
/// The Akka configuration a federated gateway runs with: the cluster provider, remoting on
/// <see cref="FederationSettings.Port"/>, the seed nodes, the split-brain resolver, and
/// <see cref="FederationSerializer"/> for the frames and the directory.
/// </summary>
/// <remarks>
/// Put it before the rest of the configuration (<c>FederationConfig.For(s).WithFallback(...)</c>)
/// so that these keys win; every Akka key it does not set (failure detector, TLS, timeouts) keeps
/// what the user's HOCON or Akka's defaults say.
/// </remarks>
public static class FederationConfig
{
    /// <summary>What every federated gateway needs, whatever its addresses: the serializer and its bindings, the resolver.</summary>
    public static Config Base { get; } = ConfigurationFactory.ParseString("""
        akka {
          actor {
            provider = cluster
            serializers.bro-federation = "Bro.Federation.FederationSerializer, Bro.Actors"
            serialization-bindings {
              "Bro.Federation.DataLinkOffer, Bro.Actors" = bro-federation
              "Bro.Federation.DirectoryEntry, Bro.Actors" = bro-federation
              "Bro.Federation.SecretProof, Bro.Actors" = bro-federation
            }
          }
          cluster {
            # Akka.Cluster's split-brain resolver, keep-majority: on a partition the side with
            # more gateways downs the other; an even split keeps the side with the lowest
            # address. A minority gateway downs itself, and its callers get CONNECTION_LOST.
            downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
            split-brain-resolver.active-strategy = keep-majority
            # A gateway's services reach the others within this, not the default half second.
            distributed-data.notify-subscribers-interval = 100ms
          }
        }
        """);

    /// <summary>The configuration for <paramref name="settings"/> with <see cref="Base"/> behind it.</summary>
    public static Config For(FederationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var seeds = string.Join(", ", settings.SeedNodes.Select(Quote));
        var publicHost = settings.PublicHostname is { } host ? $"public-hostname = {Quote(host)}" : "";
        return ConfigurationFactory.ParseString($$"""
            akka.remote.dot-netty.tcp {
              hostname = {{Quote(settings.Hostname)}}
              port = {{settings.Port}}
              {{publicHost}}
            }
            akka.cluster.seed-nodes = [{{seeds}}]
            """).WithFallback(Base);
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
