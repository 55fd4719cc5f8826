using Akka;
using Akka.Actor;
using Bro.Client.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bro.Client.Hosting.Internal;

/// <summary>
/// One <c>AddBroClient</c> of a service collection: what the client is made from, and the steps
/// (<see cref="BroClientBuilder"/>'s) that set it up once the container makes it. Registered as an
/// instance, so the host can count its clients and find the only one.
/// </summary>
internal sealed class HostedClientRegistration(BroClientOptions options, Action<BroClient>? configure)
{
    private readonly List<Action<BroClient, IServiceProvider>> _setups = [];

    /// <summary>The client's service name: its key in the container.</summary>
    public string ServiceName => options.ServiceName;

    /// <summary>Adds a step run on the client when it is made, before <c>configure</c>. Not thread-safe: registration time only.</summary>
    public void AddSetup(Action<BroClient, IServiceProvider> setup) => _setups.Add(setup);

    /// <summary>
    /// Makes the client on Akka.Hosting's actor system, set up but not connected (the host's start
    /// connects it). Called once, by the container's singleton factory.
    /// </summary>
    /// <exception cref="InvalidOperationException">The host has no actor system (no <c>AddAkka</c>).</exception>
    public BroClient CreateClient(IServiceProvider services)
    {
        var system = services.GetService<ActorSystem>() ?? throw new InvalidOperationException(
            $"The Bro client '{ServiceName}' runs on Akka.Hosting's actor system: call services.AddAkka(...) as well as AddBroClient");

        // The client's own lines go to the host's loggers, as the actor system's do.
        var loggerFactory = options.LoggerFactory ?? services.GetService<ILoggerFactory>();
        var client = new BroClient(options with { LoggerFactory = loggerFactory }, system);
        HostedClients.Add(system, client);
        foreach (var setup in _setups)
            setup(client, services);
        configure?.Invoke(client);

        // Also disposed by the hosted service's stop and by the container: whichever runs first
        // disconnects, the others find it disposed. This one covers an actor system shut down
        // before the host stops its services (a cluster leaving, say).
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, BroClientHostingExtensions.ShutdownTaskName, async () =>
        {
            await client.DisposeAsync().ConfigureAwait(false);
            return Done.Instance;
        });
        return client;
    }
}
