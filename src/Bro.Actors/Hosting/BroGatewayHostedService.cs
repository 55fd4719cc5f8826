using Microsoft.Extensions.Hosting;

namespace Bro.Hosting;

/// <summary>Starts and stops the host's <see cref="BroGateway"/> with the host.</summary>
internal sealed class BroGatewayHostedService(BroGateway gateway) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => gateway.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => gateway.StopAsync(cancellationToken);
}
