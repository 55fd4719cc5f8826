using Akka.Actor;
using Bro.Client.Internal;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bro.Client.Hosting;

/// <summary>
/// Healthy while the hosted client of one service name has its primary connection registered;
/// unhealthy before the host started it, while it reconnects, and after it stopped. Reads a
/// field: asks no actor and sends nothing to the gateway.
/// </summary>
internal sealed class BroClientHealthCheck(ActorSystem system, string serviceName) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failure = context.Registration.FailureStatus;
        var result = HostedClients.Find(system, serviceName) switch
        {
            null => new HealthCheckResult(failure, $"The Bro client '{serviceName}' has not been started by the host"),
            { IsConnected: false } client => new HealthCheckResult(failure,
                $"The Bro client '{serviceName}' is not connected to the gateway at {client.Options.GatewayPath}"),
            var client => HealthCheckResult.Healthy($"The Bro client '{serviceName}' is registered at {client.Options.GatewayPath}"),
        };
        return Task.FromResult(result);
    }
}
