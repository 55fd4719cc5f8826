using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Akka.Actor;

namespace Bro.Client.Internal;

/// <summary>
/// The clients Akka.Hosting started on each actor system, by service name, so a health check
/// resolved from the host's services can find the client it watches, whichever way the host made
/// it: inside the actor system's startup (Akka.Hosting's builder, where the service collection is
/// out of reach) or by the container (<c>services.AddBroClient</c>).
/// </summary>
/// <remarks>Kept as long as their actor system: a stopped client stays, and reports itself not connected.</remarks>
internal static class HostedClients
{
    private static readonly ConditionalWeakTable<ActorSystem, ConcurrentDictionary<string, BroClient>> BySystem = new();

    /// <summary>Records <paramref name="client"/> as the hosted client of its service name on <paramref name="system"/>.</summary>
    public static void Add(ActorSystem system, BroClient client) =>
        BySystem.GetOrCreateValue(system)[client.ServiceName] = client;

    /// <summary>The hosted client of <paramref name="serviceName"/> on <paramref name="system"/>; <c>null</c> before it was made.</summary>
    public static BroClient? Find(ActorSystem system, string serviceName) =>
        BySystem.TryGetValue(system, out var clients) && clients.TryGetValue(serviceName, out var client) ? client : null;
}
