using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bro.Hosting;

/// <summary>
/// Healthy while the host's <see cref="BroGateway"/> listens; unhealthy before it started, after
/// it stopped, and after its listener failed (<see cref="BroGateway.Faulted"/>). Reads a flag:
/// asks no actor, so a probe costs nothing and answers even when the gateway is overloaded.
/// </summary>
internal sealed class BroGatewayHealthCheck(BroGateway gateway) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var socket = gateway.Settings.SocketPath;
        return Task.FromResult(gateway.IsRunning
            ? HealthCheckResult.Healthy($"The Bro gateway listens on {socket}")
            : new HealthCheckResult(context.Registration.FailureStatus, $"The Bro gateway on {socket} is not running"));
    }
}
