using System.Net;
using System.Net.Sockets;
using Akka.Hosting;
using Bro.Configuration;
using Bro.Federation;
using Bro.Actors.Tests.Support;
using Bro.Testing;
using Bro.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Bro.Actors.Tests.Federation;

/// <summary>A federated gateway inside a generic host: WithBroFederation on AddAkka, AddBroGateway with the same settings.</summary>
[Collection(nameof(FederationCollection))]
public sealed class FederationHostingSpec : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bro-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_hosted_gateway_with_cluster_settings_forms_a_cluster_and_serves_its_socket()
    {
        var port = FreePort();
        var federation = new FederationSettings { Port = port, SeedNodes = [$"akka.tcp://bro@127.0.0.1:{port}"] };
        var settings = GatewaySettings.Default with { SocketPath = Path.Combine(_directory, "gw.sock"), Cluster = federation };
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAkka(FederationSettings.SystemName, akka => akka.WithBroFederation(federation));
        builder.Services.AddBroGateway(settings);
        using var host = builder.Build();

        await host.StartAsync();
        var gateway = host.Services.GetRequiredService<BroGateway>();
        await using (await RawPeer.RegisterAsync(settings.SocketPath, "hosted"))
        {
            await Eventually.TrueAsync(async () =>
                (await gateway.GetClusterViewAsync())!.Directory.Any(e => e.Service == "hosted"));
            var view = await gateway.GetClusterViewAsync();
            Assert.Equal($"akka.tcp://bro@127.0.0.1:{port}", view!.Self);
            Assert.Equal("Up", Assert.Single(view.Members).Status);
        }

        await host.StopAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
