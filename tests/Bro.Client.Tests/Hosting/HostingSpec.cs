using Akka.Hosting;
using Bro.Client.Hosting;
using Bro.Client.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Client.Tests.Hosting;

public sealed class HostingSpec(ITestOutputHelper output) : ClientSpec(output)
{
    [Fact]
    public async Task AddBroClient_connects_when_the_host_starts_and_disconnects_when_it_stops()
    {
        BroClient? hosted = null;
        using var lifetime = new TestApplicationLifetime();
        var services = new ServiceCollection().AddLogging().AddSingleton<IHostApplicationLifetime>(lifetime);
        services.AddAkka("hosted-service", builder => builder.AddBroClient(
            new BroClientOptions { ServiceName = "hosted-service", GatewayPath = Gateway.Path },
            client =>
            {
                hosted = client;
                client.RegisterMethod<string, string>("hello", (name, _) => Task.FromResult($"Hello, {name}"));
            }));
        await using var provider = services.BuildServiceProvider();
        var hostedServices = provider.GetServices<IHostedService>().ToArray();

        foreach (var service in hostedServices)
            await service.StartAsync(CancellationToken.None).WaitAsync(Patience);

        Assert.NotNull(hosted);
        Assert.True(hosted.IsConnected);
        var caller = await ConnectedClient("caller");
        Assert.Equal("Hello, host", await caller.CallAsync<string>("hosted-service", "hello", "host").WaitAsync(Patience));

        foreach (var service in hostedServices.Reverse())
            await service.StopAsync(CancellationToken.None).WaitAsync(Patience);

        Assert.False(hosted.IsConnected);
        await AwaitConditionAsync(async () => !(await Gateway.Gateway.GetConnectedServicesAsync()).Contains("hosted-service"), Patience);
    }

    [Fact]
    public async Task The_client_health_check_is_healthy_while_the_hosted_client_is_registered_and_unhealthy_before_and_after()
    {
        using var lifetime = new TestApplicationLifetime();
        var services = new ServiceCollection().AddLogging().AddSingleton<IHostApplicationLifetime>(lifetime);
        services.AddAkka("health-checked", builder => builder.AddBroClient(
            new BroClientOptions { ServiceName = "health-checked", GatewayPath = Gateway.Path }));
        services.AddHealthChecks().AddBroClient("health-checked");
        await using var provider = services.BuildServiceProvider();
        var health = provider.GetRequiredService<HealthCheckService>();
        var hostedServices = provider.GetServices<IHostedService>().ToArray();
        async Task<HealthReportEntry> Check() => (await health.CheckHealthAsync().WaitAsync(Patience)).Entries["bro-client-health-checked"];

        foreach (var service in hostedServices)
            await service.StartAsync(CancellationToken.None).WaitAsync(Patience);
        var running = await Check();
        await Gateway.StopAsync();
        await AwaitConditionAsync(async () => (await Check()).Status == HealthStatus.Unhealthy, Patience);
        var lost = await Check();
        foreach (var service in hostedServices.Reverse())
            await service.StopAsync(CancellationToken.None).WaitAsync(Patience);
        var stopped = await Check();

        Assert.Equal((HealthStatus.Healthy, $"The Bro client 'health-checked' is registered at {Gateway.Path}"), (running.Status, running.Description));
        Assert.Equal($"The Bro client 'health-checked' is not connected to the gateway at {Gateway.Path}", lost.Description);
        Assert.Equal(HealthStatus.Unhealthy, stopped.Status);
    }

    [Fact]
    public async Task The_client_health_check_is_unhealthy_for_a_client_the_host_has_not_started()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(Sys);
        services.AddHealthChecks().AddBroClient("never-hosted");
        await using var provider = services.BuildServiceProvider();

        var entry = (await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["bro-client-never-hosted"];

        Assert.Equal((HealthStatus.Unhealthy, "The Bro client 'never-hosted' has not been started by the host"), (entry.Status, entry.Description));
    }
}
