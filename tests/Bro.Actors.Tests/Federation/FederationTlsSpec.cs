using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Bro.Actors.Tests.Support;
using Bro.Protocol;
using Bro.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Actors.Tests.Federation;

/// <summary>Gateways whose cluster port speaks TLS (Akka.Remote's DotNetty transport), configured as the README shows.</summary>
[Collection(nameof(FederationCollection))]
public sealed class FederationTlsSpec(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bro-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Calls_cross_gateways_whose_cluster_port_speaks_TLS()
    {
        var certificate = Path.Combine(_directory, "gateway.pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=bro-gateway", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var self = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(certificate, self.Export(X509ContentType.Pfx, "pfx-password"));
        }

        // A self-signed certificate shared by both gateways: validation is suppressed here; a
        // real deployment gives each gateway a certificate its peers' store trusts.
        var tls = ConfigurationFactory.ParseString($$"""
            akka.remote.dot-netty.tcp {
              enable-ssl = true
              ssl {
                suppress-validation = true
                certificate { path = "{{certificate}}", password = "pfx-password" }
              }
            }
            """);
        await using var cluster = await TestCluster.StartAsync(output, size: 2, akka: tls);
        await using var users = await RawPeer.RegisterAsync(cluster[0].Path, "users");
        await using var orders = await RawPeer.RegisterAsync(cluster[1].Path, "orders");
        await cluster.RoutesAsync(from: 1, "users", to: 0);

        var call = Messages.BuildCall("orders", "users", "get", RawValue.FromObject(new { id = 1 }, BroEncoding.Json),
            CallContexts.Extend(CallContexts.Create("orders", TimeSpan.FromSeconds(30)), "users"));
        await orders.SendAsync(call, BroEncoding.Json);
        var received = await users.ReadAsync<CallMessage>();
        await users.SendAsync(Messages.BuildSuccessResponse(received), BroEncoding.Json);
        var response = await orders.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, ResponseStatus.Success), (response.Id, response.Status));
    }
}
