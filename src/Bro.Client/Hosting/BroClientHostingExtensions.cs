using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.DependencyInjection;
using Akka.Hosting;
using Bro.Client.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Bro.Client.Hosting;

/// <summary>Runs a <see cref="BroClient"/> inside an Akka.Hosting generic host.</summary>
public static class BroClientHostingExtensions
{
    /// <summary>Name of the coordinated-shutdown task that disconnects the client.</summary>
    internal const string ShutdownTaskName = "bro-client-disconnect";

    /// <summary>
    /// Adds a <see cref="BroClient"/> on the host's <see cref="ActorSystem"/>: it is created,
    /// handed to <paramref name="configure"/> (register methods there, and keep the reference to
    /// call other services), and connected once the actor system has started; it disconnects in
    /// the <c>before-service-unbind</c> phase of coordinated shutdown, i.e. when the host stops.
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="options">The client's options.</param>
    /// <param name="configure">Called with the client before it connects; default none.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>A gateway that refuses the client (CONNECTION_FAILED) fails the host's start. The
    /// client's own log lines go to the host's <see cref="ILoggerFactory"/> (unless
    /// <see cref="BroClientOptions.LoggerFactory"/> names another); Akka's, its connection actors'
    /// included, go where the host's Akka loggers send them: <c>ConfigureLoggers(setup =&gt;
    /// { setup.ClearLoggers(); setup.AddLoggerFactory(); })</c> sends them to the same factory.
    /// The client is not in the host's dependency injection (this builder runs after the container
    /// was built): <see cref="BroClientServiceCollectionExtensions.AddBroClient(IServiceCollection, BroClientOptions, Action{BroClient})"/>
    /// puts it there.</remarks>
    public static AkkaConfigurationBuilder AddBroClient(
        this AkkaConfigurationBuilder builder, BroClientOptions options, Action<BroClient>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        builder.AddStartup(async (system, _) =>
        {
            // The client's own lines go to the host's loggers, as the actor system's do.
            var loggerFactory = options.LoggerFactory ?? DependencyResolver.For(system).Resolver.GetService<ILoggerFactory>();
            var client = new BroClient(options with { LoggerFactory = loggerFactory }, system);
            HostedClients.Add(system, client);
            configure?.Invoke(client);
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, ShutdownTaskName, async () =>
            {
                await client.DisposeAsync().ConfigureAwait(false);
                return Done.Instance;
            });
            await client.ConnectAsync().ConfigureAwait(false);
        });
        return builder;
    }

    /// <summary>
    /// <see cref="AddBroClient(AkkaConfigurationBuilder, BroClientOptions, Action{BroClient})"/> with
    /// options read from the <c>bro.client</c> section of <paramref name="config"/>.
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="config">Configuration holding <c>bro.client</c>.</param>
    /// <param name="configure">Called with the client before it connects; default none.</param>
    /// <returns>The same builder.</returns>
    public static AkkaConfigurationBuilder AddBroClient(
        this AkkaConfigurationBuilder builder, Config config, Action<BroClient>? configure = null) =>
        builder.AddBroClient(BroClientOptions.FromConfig(config), configure);

    /// <summary>
    /// Adds a health check of the client that <see cref="AddBroClient(AkkaConfigurationBuilder, BroClientOptions, Action{BroClient})"/>
    /// runs for <paramref name="serviceName"/> on the host's actor system: healthy while its
    /// primary connection is registered, <paramref name="failureStatus"/> (default unhealthy)
    /// before the host started it, while it reconnects and after it stopped.
    /// </summary>
    /// <param name="builder">The host's health checks.</param>
    /// <param name="serviceName">The hosted client's service name.</param>
    /// <param name="name">The check's name; default <c>bro-client-</c> and the service name.</param>
    /// <param name="failureStatus">What a client that is not connected reports; <c>null</c> for unhealthy.</param>
    /// <param name="tags">Tags to filter checks by (a readiness or liveness probe, say).</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IHealthChecksBuilder AddBroClient(
        this IHealthChecksBuilder builder, string serviceName, string? name = null, HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        return builder.Add(new HealthCheckRegistration(name ?? $"bro-client-{serviceName}",
            provider => new BroClientHealthCheck(provider.GetRequiredService<ActorSystem>(), serviceName), failureStatus, tags));
    }
}
