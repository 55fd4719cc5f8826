using Akka.Hosting;
using Bro.Client.Hosting;
using Bro.Client.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Client.Tests;

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
}
