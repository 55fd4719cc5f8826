using Akka.Configuration;
using Akka.Hosting;
using Bro.Configuration;
using Bro.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Xunit;
using Bro.Testing;

namespace Bro.Actors.Tests.Hosting;

/// <summary>The gateway inside a generic host, on Akka.Hosting's actor system.</summary>
public sealed class BroGatewayHostingSpec : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bro-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task AddBroGateway_serves_while_the_host_runs_and_cleans_up_when_it_stops()
    {
        var socket = Path.Combine(_directory, "gw.sock");
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("bro-hosted", _ => { });
        builder.Services.AddBroGateway(GatewaySettings.Default with { SocketPath = socket });
        using var host = builder.Build();

        await host.StartAsync();
        var gateway = host.Services.GetRequiredService<BroGateway>();
        Assert.True(gateway.IsRunning);
        await using (var peer = await RawPeer.RegisterAsync(socket, "hosted-service"))
            Assert.True(await gateway.IsServiceConnectedAsync("hosted-service"));

        await host.StopAsync();
        Assert.False(gateway.IsRunning);
        Assert.False(File.Exists(socket), "the socket file is left behind");
    }

    [Fact]
    public async Task AddBroGateway_without_settings_runs_with_the_bro_gateway_section_the_host_added_with_AddHocon()
    {
        var socket = Path.Combine(_directory, "hocon.sock");
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("bro-hosted", akka => akka.AddHocon(
            ConfigurationFactory.ParseString($"bro.gateway {{ socket-path = \"{socket}\", max-calls-in-flight = 7 }}"), HoconAddMode.Prepend));
        builder.Services.AddBroGateway();
        using var host = builder.Build();

        await host.StartAsync();
        var gateway = host.Services.GetRequiredService<BroGateway>();
        await using (var peer = await RawPeer.RegisterAsync(socket, "hocon-service"))
            Assert.True(await gateway.IsServiceConnectedAsync("hocon-service"));
        await host.StopAsync();

        Assert.Equal((socket, 7), (gateway.Settings.SocketPath, gateway.Settings.MaxCallsInFlight));
        Assert.Equal(GatewaySettings.Default.MaxFrameSize, gateway.Settings.MaxFrameSize);
    }

    [Fact]
    public void AddBroGateway_settings_win_over_the_hosts_bro_gateway_section()
    {
        var socket = Path.Combine(_directory, "explicit.sock");
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("bro-hosted", akka => akka.AddHocon(
            ConfigurationFactory.ParseString("bro.gateway.max-calls-in-flight = 7"), HoconAddMode.Prepend));
        builder.Services.AddBroGateway(GatewaySettings.Default with { SocketPath = socket });
        using var host = builder.Build();

        var settings = host.Services.GetRequiredService<BroGateway>().Settings;

        Assert.Equal((socket, GatewaySettings.Default.MaxCallsInFlight), (settings.SocketPath, settings.MaxCallsInFlight));
    }

    [Fact]
    public async Task The_gateway_health_check_is_healthy_while_the_hosted_gateway_listens_and_unhealthy_before_and_after()
    {
        var socket = Path.Combine(_directory, "gw.sock");
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka("bro-hosted", _ => { });
        builder.Services.AddBroGateway(GatewaySettings.Default with { SocketPath = socket });
        builder.Services.AddHealthChecks().AddBroGateway();
        using var host = builder.Build();
        var health = host.Services.GetRequiredService<HealthCheckService>();

        var before = (await health.CheckHealthAsync()).Entries["bro-gateway"];
        await host.StartAsync();
        var running = (await health.CheckHealthAsync()).Entries["bro-gateway"];
        await host.StopAsync();
        var after = (await health.CheckHealthAsync()).Entries["bro-gateway"];

        Assert.Equal(HealthStatus.Unhealthy, before.Status);
        Assert.Equal((HealthStatus.Healthy, $"The Bro gateway listens on {socket}"), (running.Status, running.Description));
        Assert.Equal((HealthStatus.Unhealthy, $"The Bro gateway on {socket} is not running"), (after.Status, after.Description));
    }
}
