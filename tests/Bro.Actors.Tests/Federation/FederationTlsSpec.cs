using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Event;
using Bro.Actors.Tests.Support;
using Bro.Configuration;
using Bro.Federation;
using Bro.Hosting;
using Bro.Protocol;
using Bro.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Actors.Tests.Federation;

/// <summary>
/// Gateways whose cluster port speaks TLS (Akka.Remote's DotNetty transport), configured as the
/// README shows; one whose certificate they do not trust stays out.
/// </summary>
[Collection(nameof(FederationCollection))]
public sealed class FederationTlsSpec(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bro-").FullName;
    // The CA IssueFromTrustedRoot makes the host trust; out of the user's root store again on Dispose.
    private X509Certificate2? _trustedRoot;

    public void Dispose()
    {
        if (_trustedRoot is not null)
        {
            using var store = new X509Store(StoreName.Root, StoreLocation.CurrentUser);
            store.Open(OpenFlags.ReadWrite);
            store.Remove(_trustedRoot);
            _trustedRoot.Dispose();
        }
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Calls_cross_gateways_whose_cluster_port_speaks_TLS()
    {
        // A self-signed certificate shared by both gateways: validation is suppressed here; a
        // real deployment gives each gateway a certificate its peers' store trusts.
        var tls = Tls(await WriteSelfSignedAsync("gateway.pfx"), suppressValidation: true);
        await using var cluster = await TestCluster.StartAsync(output, size: 2, akka: tls);
        await using var users = await RawPeer.RegisterAsync(cluster[0].Path, "users");
        await using var orders = await RawPeer.RegisterAsync(cluster[1].Path, "orders");
        await cluster.RoutesAsync(from: 1, "users", to: 0);

        await CallCrossesAsync(orders, users);
    }

    [LinuxFact]
    public async Task A_stranger_whose_certificate_the_members_do_not_trust_never_joins_and_calls_still_cross()
    {
        // The members keep Akka's validation on (a chain to a root the host trusts) and mutual
        // authentication (Akka's default, spelled out): their certificate comes from a CA trusted
        // on this host, the stranger's does not, though it names itself as they do.
        var members = Tls(IssueFromTrustedRoot("CN=bro-gateway", "gateway.pfx"), suppressValidation: false);
        await using var cluster = await TestCluster.StartAsync(output, size: 2, akka: members);
        await using var users = await RawPeer.RegisterAsync(cluster[0].Path, "users");
        await using var orders = await RawPeer.RegisterAsync(cluster[1].Path, "orders");
        await cluster.RoutesAsync(from: 1, "users", to: 0);

        // Seen by the seed when it turns the stranger's handshake down (Akka's own log line).
        var refused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster[0].Gateway.Log += (_, e) =>
        {
            if (e is Error && e.Message?.ToString()?.Contains("Certificate chain validation failed", StringComparison.Ordinal) == true)
                refused.TrySetResult();
        };

        // The stranger accepts any certificate itself, so only the members' checks keep it out.
        var strangerTls = ConfigurationFactory.ParseString("""
            akka.cluster.seed-node-timeout = 1s
            akka.cluster.shutdown-after-unsuccessful-join-seed-nodes = off
            akka.coordinated-shutdown.exit-clr = off
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            """).WithFallback(Tls(await WriteSelfSignedAsync("stranger.pfx"), suppressValidation: true));
        var federation = new FederationSettings { Port = 0, SeedNodes = [cluster.AddressOf(0)] };
        var settings = GatewaySettings.Default with { SocketPath = Path.Combine(_directory, "stranger.sock"), Cluster = federation };
        var system = ActorSystem.Create(FederationSettings.SystemName,
            FederationConfig.For(federation).WithFallback(strangerTls).WithFallback(BroConfig.Default));
        try
        {
            await using var stranger = new BroGateway(settings, system);
            await stranger.StartAsync();
            var strangerAddress = Cluster.Get(system).SelfAddress.ToString();

            await refused.Task.WaitAsync(TimeSpan.FromSeconds(20));
            // The stranger keeps asking to join (every second); for the next 3 s, fifteen gossip
            // rounds, neither member lists it and it is no member of anything.
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(3);
            do
            {
                for (var i = 0; i < 2; i++)
                {
                    var view = await cluster[i].Gateway.GetClusterViewAsync();
                    Assert.Equal(new[] { cluster.AddressOf(0), cluster.AddressOf(1) }.Order(), view!.Members.Select(m => m.Address).Order());
                    Assert.DoesNotContain(Cluster.Get(cluster[i].System).State.Members, m => m.Address.ToString() == strangerAddress);
                }
                Assert.Empty(Cluster.Get(system).State.Members);
                await Task.Delay(100);
            }
            while (DateTime.UtcNow < until);
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        }

        await CallCrossesAsync(orders, users);
    }

    /// <summary>Akka.Remote TLS with the certificate at <paramref name="pfx"/> and mutual authentication (Akka's default, spelled out).</summary>
    private static Config Tls(string pfx, bool suppressValidation) => ConfigurationFactory.ParseString($$"""
        akka.remote.dot-netty.tcp {
          enable-ssl = true
          ssl {
            suppress-validation = {{(suppressValidation ? "true" : "false")}}
            require-mutual-authentication = true
            certificate { path = "{{pfx}}", password = "pfx-password" }
          }
        }
        """);

    /// <summary>Writes a self-signed certificate for <c>CN=bro-gateway</c>, key and all, to <paramref name="file"/> in the test's directory.</summary>
    private async Task<string> WriteSelfSignedAsync(string file)
    {
        var path = Path.Combine(_directory, file);
        using var self = SelfSigned("CN=bro-gateway");
        await File.WriteAllBytesAsync(path, self.Export(X509ContentType.Pfx, "pfx-password"));
        return path;
    }

    private static async Task CallCrossesAsync(RawPeer orders, RawPeer users)
    {
        var call = Messages.BuildCall("orders", "users", "get", RawValue.FromObject(new { id = 1 }, BroEncoding.Json),
            CallContexts.Extend(CallContexts.Create("orders", TimeSpan.FromSeconds(30)), "users"));
        await orders.SendAsync(call, BroEncoding.Json);
        var received = await users.ReadAsync<CallMessage>();
        await users.SendAsync(Messages.BuildSuccessResponse(received), BroEncoding.Json);
        var response = await orders.ReadAsync<ResponseMessage>();
        Assert.Equal((call.Id, ResponseStatus.Success), (response.Id, response.Status));
    }

    /// <summary>
    /// A certificate for <paramref name="subject"/> issued by a fresh CA that this host trusts from
    /// now until <see cref="Dispose"/>: the CA goes into the current user's root store, which .NET
    /// on Linux trusts beside the system's, and its key is dropped at once, so nothing else can
    /// ever be issued under it. Returns the path of the .pfx (certificate and key).
    /// </summary>
    private string IssueFromTrustedRoot(string subject, string file)
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest($"CN=bro-test-ca-{Guid.NewGuid():N}", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, critical: true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        // Each gateway is a TLS server to some peers and a client to others.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(16));
        using var withKey = issued.CopyWithPrivateKey(key);
        var path = Path.Combine(_directory, file);
        File.WriteAllBytes(path, withKey.Export(X509ContentType.Pfx, "pfx-password"));

        _trustedRoot = X509CertificateLoader.LoadCertificate(ca.RawData);
        using var store = new X509Store(StoreName.Root, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadWrite);
        store.Add(_trustedRoot);
        return path;
    }

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>
    /// A fact for Linux only: it writes a root into the current user's store, which Windows
    /// confirms in a dialog and macOS does not allow.
    /// </summary>
    private sealed class LinuxFactAttribute : FactAttribute
    {
        public LinuxFactAttribute()
        {
            if (!OperatingSystem.IsLinux())
                Skip = "Trusts a test CA through the current user's root store, which only Linux lets a test write";
        }
    }
}
