using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Bro.Federation;
using Xunit;

namespace Bro.Actors.Tests.Federation;

/// <summary>
/// <see cref="FederationTls"/>: the cluster port's TLS settings, read from Akka.Remote's keys,
/// applied to a real <see cref="SslStream"/> pair over a connected loopback TCP socket pair.
/// </summary>
public sealed class FederationTlsTrustSpec : IDisposable
{
    private static readonly TimeSpan Handshake = TimeSpan.FromSeconds(10);

    private readonly string _directory = Directory.CreateTempSubdirectory("bro-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void From_is_null_when_enable_ssl_is_off()
    {
        Assert.Null(FederationTls.From(ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.enable-ssl = off")));
        Assert.Null(FederationTls.From(Config.Empty));
    }

    [Fact]
    public void From_loads_the_certificate_at_ssl_certificate_path_with_its_password()
    {
        var path = WritePfx("CN=bro-gateway");

        var tls = FederationTls.From(Tls(path, "suppress-validation = on"))!;

        Assert.Equal("CN=bro-gateway", tls.Certificate.Subject);
        Assert.True(tls.Certificate.HasPrivateKey);
    }

    [Fact]
    public void From_finds_the_certificate_by_thumbprint_in_the_store_when_use_thumbprint_over_file_is_on()
    {
        // Reloaded with a persisted key: a store keeps the key only if it outlives this process's memory.
        using var self = SelfSigned("CN=bro-gateway-in-store");
        using var certificate = X509CertificateLoader.LoadPkcs12(self.Export(X509ContentType.Pfx, ""), "", X509KeyStorageFlags.PersistKeySet);
        using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadWrite);
        store.Add(certificate);
        try
        {
            var tls = FederationTls.From(ConfigurationFactory.ParseString($$"""
                akka.remote.dot-netty.tcp {
                  enable-ssl = true
                  ssl {
                    suppress-validation = on
                    certificate {
                      use-thumbprint-over-file = true
                      thumbprint = "{{certificate.Thumbprint}}"
                      store-name = "My"
                      store-location = "current-user"
                    }
                  }
                }
                """))!;

            Assert.Equal(certificate.Thumbprint, tls.Certificate.Thumbprint);
            Assert.True(tls.Certificate.HasPrivateKey);
        }
        finally
        {
            store.Remove(certificate);
        }
    }

    [Fact]
    public void From_refuses_a_certificate_without_its_private_key_as_Akka_refuses_to_listen_with_it()
    {
        var path = Path.Combine(_directory, "public.pfx");
        using (var certificate = SelfSigned("CN=bro-gateway"))
        using (var publicOnly = X509CertificateLoader.LoadCertificate(certificate.RawData))
            File.WriteAllBytes(path, publicOnly.Export(X509ContentType.Pfx, "pfx-password"));

        var error = Assert.Throws<ConfigurationException>(() => FederationTls.From(Tls(path, "")));
        Assert.Contains("no private key", error.Message);
    }

    [Fact]
    public async Task Gateways_sharing_a_certificate_connect_with_suppress_validation_and_each_sees_the_other_certificate()
    {
        var tls = FederationTls.From(Tls(WritePfx("CN=bro-gateway"), "suppress-validation = on"))!;
        await using var pair = await SocketPair.ConnectAsync();

        await Task.WhenAll(
            pair.Server.AuthenticateAsServerAsync(tls.ServerOptions()).WaitAsync(Handshake),
            pair.Client.AuthenticateAsClientAsync(tls.ClientOptions("127.0.0.1")).WaitAsync(Handshake));

        // Mutual authentication is Akka's default: the client presented its certificate.
        Assert.Equal(tls.Certificate.Thumbprint, pair.Server.RemoteCertificate?.GetCertHashString());
        Assert.Equal(tls.Certificate.Thumbprint, pair.Client.RemoteCertificate?.GetCertHashString());
        await pair.Client.WriteAsync(new byte[] { 42 });
        var read = new byte[1];
        Assert.Equal(1, await pair.Server.ReadAsync(read).AsTask().WaitAsync(Handshake));
        Assert.Equal(42, read[0]);
    }

    [Fact]
    public async Task A_server_with_validation_on_refuses_a_client_certificate_it_does_not_trust()
    {
        var member = FederationTls.From(Tls(WritePfx("CN=bro-gateway"), "suppress-validation = off"))!;
        // The stranger trusts anything: only the member's check can keep it out.
        var stranger = FederationTls.From(Tls(WritePfx("CN=bro-gateway", "stranger.pfx"), "suppress-validation = on"))!;
        await using var pair = await SocketPair.ConnectAsync();

        var server = pair.Server.AuthenticateAsServerAsync(member.ServerOptions()).WaitAsync(Handshake);
        var client = pair.Client.AuthenticateAsClientAsync(stranger.ClientOptions("127.0.0.1")).WaitAsync(Handshake);

        await RefusedAsync(refusing: pair.Server, server, refused: pair.Client, client);
    }

    [Fact]
    public async Task A_client_with_validation_on_refuses_a_server_certificate_it_does_not_trust()
    {
        var stranger = FederationTls.From(Tls(WritePfx("CN=bro-gateway", "stranger.pfx"), "suppress-validation = on"))!;
        var member = FederationTls.From(Tls(WritePfx("CN=bro-gateway"), "suppress-validation = off"))!;
        await using var pair = await SocketPair.ConnectAsync();

        var server = pair.Server.AuthenticateAsServerAsync(stranger.ServerOptions()).WaitAsync(Handshake);
        var client = pair.Client.AuthenticateAsClientAsync(member.ClientOptions("127.0.0.1")).WaitAsync(Handshake);

        await RefusedAsync(refusing: pair.Client, client, refused: pair.Server, server);
    }

    [Fact]
    public async Task With_mutual_authentication_a_client_that_presents_no_certificate_is_refused_even_with_suppress_validation()
    {
        var member = FederationTls.From(Tls(WritePfx("CN=bro-gateway"), "suppress-validation = on"))!;
        await using var pair = await SocketPair.ConnectAsync();

        var server = pair.Server.AuthenticateAsServerAsync(member.ServerOptions()).WaitAsync(Handshake);
        var client = pair.Client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }).WaitAsync(Handshake);

        await RefusedAsync(refusing: pair.Server, server, refused: pair.Client, client);
    }

    [Fact]
    public async Task Without_mutual_authentication_the_server_asks_for_no_client_certificate()
    {
        var member = FederationTls.From(Tls(WritePfx("CN=bro-gateway"), "suppress-validation = on\nrequire-mutual-authentication = off"))!;
        await using var pair = await SocketPair.ConnectAsync();

        await Task.WhenAll(
            pair.Server.AuthenticateAsServerAsync(member.ServerOptions()).WaitAsync(Handshake),
            pair.Client.AuthenticateAsClientAsync(member.ClientOptions("127.0.0.1")).WaitAsync(Handshake));

        Assert.Null(pair.Server.RemoteCertificate);
    }

    [Fact]
    public async Task With_validate_certificate_hostname_a_client_refuses_a_server_certificate_for_another_host()
    {
        var member = FederationTls.From(Tls(WritePfx("CN=gateway-1.example"), "suppress-validation = on\nvalidate-certificate-hostname = on"))!;
        await using var pair = await SocketPair.ConnectAsync();

        var server = pair.Server.AuthenticateAsServerAsync(member.ServerOptions()).WaitAsync(Handshake);
        var client = pair.Client.AuthenticateAsClientAsync(member.ClientOptions("gateway-2.example")).WaitAsync(Handshake);

        await RefusedAsync(refusing: pair.Client, client, refused: pair.Server, server);
    }

    [Fact]
    public async Task With_validate_certificate_hostname_a_client_accepts_a_server_certificate_naming_the_host_it_dialled()
    {
        var member = FederationTls.From(Tls(WritePfx("CN=gateway-1.example"), "suppress-validation = on\nvalidate-certificate-hostname = on"))!;
        await using var pair = await SocketPair.ConnectAsync();

        await Task.WhenAll(
            pair.Server.AuthenticateAsServerAsync(member.ServerOptions()).WaitAsync(Handshake),
            pair.Client.AuthenticateAsClientAsync(member.ClientOptions("gateway-1.example")).WaitAsync(Handshake));

        Assert.Equal("CN=gateway-1.example", pair.Client.RemoteCertificate?.Subject);
    }

    /// <summary>
    /// The refusing side's handshake fails, and it drops the connection as a gateway does. The
    /// refused side's handshake may fail too, or succeed (in TLS 1.3 one side can finish before the
    /// other has judged its certificate) and then find the connection closed: no data ever reaches it.
    /// </summary>
    private static async Task RefusedAsync(SslStream refusing, Task refusingHandshake, SslStream refused, Task refusedHandshake)
    {
        await Assert.ThrowsAsync<AuthenticationException>(() => refusingHandshake);
        await refusing.DisposeAsync();
        try
        {
            await refusedHandshake;
            Assert.Equal(0, await refused.ReadAsync(new byte[1]).AsTask().WaitAsync(Handshake));
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            // Refused during its handshake, or the closed connection surfaced as a failed read.
        }
    }

    private static Config Tls(string path, string ssl) => ConfigurationFactory.ParseString($$"""
        akka.remote.dot-netty.tcp {
          enable-ssl = true
          ssl {
            {{ssl}}
            certificate { path = "{{path}}", password = "pfx-password" }
          }
        }
        """);

    /// <summary>A self-signed certificate for <paramref name="subject"/> with its key, in a .pfx in the temp directory; a name alone distinguishes the file.</summary>
    private string WritePfx(string subject, string file = "gateway.pfx")
    {
        var path = Path.Combine(_directory, file);
        using var certificate = SelfSigned(subject);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, "pfx-password"));
        return path;
    }

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>Two <see cref="SslStream"/>s over the two ends of one loopback TCP connection.</summary>
    private sealed class SocketPair : IAsyncDisposable
    {
        private SocketPair(SslStream server, SslStream client)
        {
            Server = server;
            Client = client;
        }

        public SslStream Server { get; }

        public SslStream Client { get; }

        public static async Task<SocketPair> ConnectAsync()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var client = new TcpClient();
            var connecting = client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            var server = await listener.AcceptTcpClientAsync();
            await connecting;
            // Each SslStream owns its socket's stream, so disposing it closes the connection.
            return new SocketPair(new SslStream(server.GetStream(), leaveInnerStreamOpen: false),
                new SslStream(client.GetStream(), leaveInnerStreamOpen: false));
        }

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            await Client.DisposeAsync();
        }
    }
}
