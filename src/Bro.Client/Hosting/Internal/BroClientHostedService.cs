using Microsoft.Extensions.Hosting;

namespace Bro.Client.Hosting.Internal;

/// <summary>
/// Connects a client <c>AddBroClient</c> added to a service collection when the host starts, and
/// disposes it when the host stops. Started in registration order: a gateway the same host runs
/// must be added before the client.
/// </summary>
internal sealed class BroClientHostedService(BroClient client) : IHostedService
{
    /// <summary>Connects; a refusal (CONNECTION_FAILED) fails the host's start.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => client.ConnectAsync(cancellationToken);

    /// <summary>
    /// Disposes rather than disconnects: the actor system may be terminated next, and a later
    /// disconnect would wait for connection actors that are gone.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken) => client.DisposeAsync().AsTask();
}
