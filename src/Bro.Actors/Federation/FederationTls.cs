using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;

namespace Bro.Federation;

/// <summary>
/// The TLS of a gateway's cluster port, read from the keys Akka.Remote 1.5.73's DotNetty
/// transport reads (<c>akka.remote.dot-netty.tcp.enable-ssl</c> and <c>.ssl</c>), for a
/// connection between gateways that Akka does not carry: it presents the same certificate and
/// trusts a peer exactly when Akka's own TLS connections with these settings would.
/// </summary>
/// <remarks>
/// <para>The trust rule, as Akka.Remote 1.5.73 applies it (<c>DotNettyTransport</c>,
/// <c>CertificateValidation</c>): with <c>suppress-validation</c> any certificate is accepted;
/// otherwise its chain must build to a root the host trusts (the operating system's store), a name
/// mismatch aside. <c>validate-certificate-hostname</c> adds that the server's certificate names
/// the host the client dialled; it never applies to a client's certificate, which carries no
/// host to compare with. <c>require-mutual-authentication</c> (default on) makes the server ask
/// for the client's certificate and refuse a client that sends none; off, the client is not
/// authenticated at all. Revocation is not checked, as DotNetty does not. The protocol versions
/// are left to the system (TLS 1.2 and 1.3), where DotNetty fixes TLS 1.0 to 1.2: both ends of a
/// link that uses this class negotiate the newest.</para>
/// <para>An actor system created with a <c>DotNettySslSetup</c> uses that setup instead of this
/// HOCON; Bro creates none, so the two agree. Immutable and thread-safe; each call returns new
/// options, which share <see cref="Certificate"/>.</para>
/// </remarks>
internal sealed class FederationTls
{
    private const string TcpPath = "akka.remote.dot-netty.tcp";

    private readonly bool _suppressValidation;
    private readonly bool _requireMutualAuthentication;
    private readonly bool _validateCertificateHostname;

    private FederationTls(X509Certificate2 certificate, bool suppressValidation, bool requireMutualAuthentication,
        bool validateCertificateHostname)
    {
        Certificate = certificate;
        _suppressValidation = suppressValidation;
        _requireMutualAuthentication = requireMutualAuthentication;
        _validateCertificateHostname = validateCertificateHostname;
    }

    /// <summary>The gateway's own certificate, with its private key: what it presents as server and as client.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>
    /// Reads <c>akka.remote.dot-netty.tcp.ssl</c> from <paramref name="config"/> (an actor
    /// system's whole configuration); <c>null</c> when <c>akka.remote.dot-netty.tcp.enable-ssl</c>
    /// is off. Keys Akka gives a default (in its <c>Remote.conf</c>) have the same default here,
    /// so a configuration without Akka.Remote's fallback reads the same.
    /// </summary>
    /// <exception cref="ConfigurationException">
    /// TLS is on but the certificate cannot be loaded (no path, no thumbprint found in the store,
    /// an unknown flag or store location), or its private key cannot be used: Akka.Remote refuses
    /// to listen on the same configuration.
    /// </exception>
    public static FederationTls? From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var tcp = config.GetConfig(TcpPath);
        if (tcp.IsNullOrEmpty() || !tcp.GetBoolean("enable-ssl", false))
            return null;
        var ssl = tcp.GetConfig("ssl");
        if (ssl.IsNullOrEmpty())
            throw new ConfigurationException($"{TcpPath}.enable-ssl is on but {TcpPath}.ssl is missing");

        var suppressValidation = ssl.GetBoolean("suppress-validation", false);
        var certificate = LoadCertificate(ssl, suppressValidation);
        try
        {
            RequireUsablePrivateKey(certificate);
        }
        catch (ConfigurationException)
        {
            certificate.Dispose();
            throw;
        }
        return new FederationTls(certificate, suppressValidation,
            requireMutualAuthentication: ssl.GetBoolean("require-mutual-authentication", true),
            validateCertificateHostname: ssl.GetBoolean("validate-certificate-hostname", false));
    }

    /// <summary>
    /// Options for the accepting side: presents <see cref="Certificate"/>, and when
    /// <c>require-mutual-authentication</c> is on (the default) asks for the client's certificate
    /// and refuses a client that sends none or one the trust rule rejects.
    /// </summary>
    public SslServerAuthenticationOptions ServerOptions() => new()
    {
        ServerCertificate = Certificate,
        ClientCertificateRequired = _requireMutualAuthentication,
        // Without mutual authentication Akka installs no callback: a client is not asked for a
        // certificate, so there is nothing to judge.
        RemoteCertificateValidationCallback = _requireMutualAuthentication
            ? (_, certificate, _, errors) => certificate is not null && Trusts(certificate, errors)
            : null,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
    };

    /// <summary>
    /// Options for the dialling side: <paramref name="targetHost"/> is the host dialled (what
    /// <c>validate-certificate-hostname</c> compares the server's certificate with; Akka uses the
    /// peer's address host); presents <see cref="Certificate"/> when the server asks for one; and
    /// refuses a server whose certificate the trust rule rejects.
    /// </summary>
    public SslClientAuthenticationOptions ClientOptions(string targetHost)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetHost);
        return new()
        {
            TargetHost = targetHost,
            // Returned whatever issuers the server lists, as Akka does: a server that trusts a CA
            // but does not advertise it must still get the certificate. A server only asks for it
            // under mutual authentication, so offering it always changes nothing otherwise.
            LocalCertificateSelectionCallback = (_, _, _, _, _) => Certificate,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusts(certificate, errors),
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }

    /// <summary>
    /// Akka.Remote 1.5.73's <c>ComposeValidatorFromSettings</c>: accept anything when validation is
    /// suppressed (unless hostname validation is on), else require a clean chain; a name mismatch
    /// only counts under <c>validate-certificate-hostname</c>. A name mismatch is never reported
    /// for a client's certificate, so the hostname check is the server's alone.
    /// </summary>
    private bool Trusts(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (_suppressValidation && !_validateCertificateHostname)
            return true;
        if (certificate is null)
            return false;
        if (!_suppressValidation && (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) != SslPolicyErrors.None)
            return false;
        return !_validateCertificateHostname || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
    }

    /// <summary>
    /// <c>ssl.certificate</c>: from a store by thumbprint when <c>use-thumbprint-over-file</c> is on,
    /// else from the PKCS#12 file at <c>path</c> with <c>password</c> and <c>flags</c>. The
    /// misspellings Akka still accepts (<c>use-thumprint-over-file</c>, <c>thumpbrint</c>) are
    /// accepted too, so no configuration Akka takes is refused here.
    /// </summary>
    private static X509Certificate2 LoadCertificate(Config ssl, bool suppressValidation)
    {
        if (ssl.GetBoolean("certificate.use-thumprint-over-file", false) || ssl.GetBoolean("certificate.use-thumbprint-over-file", false))
        {
            var thumbprint = ssl.GetString("certificate.thumbprint", null) ?? ssl.GetString("certificate.thumpbrint", null);
            if (string.IsNullOrWhiteSpace(thumbprint))
                throw new ConfigurationException($"{TcpPath}.ssl.certificate.use-thumbprint-over-file is on but {TcpPath}.ssl.certificate.thumbprint is empty");
            var location = ssl.GetString("certificate.store-location", "current-user") switch
            {
                "local-machine" => StoreLocation.LocalMachine,
                "current-user" => StoreLocation.CurrentUser,
                var other => throw new ConfigurationException(
                    $"{TcpPath}.ssl.certificate.store-location must be local-machine or current-user, was [{other}]"),
            };
            var storeName = ssl.GetString("certificate.store-name", "");
            using var store = new X509Store(storeName, location);
            store.Open(OpenFlags.ReadOnly);
            // Akka looks for a valid certificate only (a chain to a trusted root, in its validity
            // period) unless validation is suppressed.
            var found = store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: !suppressValidation);
            if (found.Count == 0)
                throw new ConfigurationException(
                    $"No {(suppressValidation ? "" : "valid ")}certificate with thumbprint {thumbprint} in store [{storeName}] of {location}");
            foreach (var other in found.Skip(1))
                other.Dispose();
            return found[0];
        }

        var path = ssl.GetString("certificate.path", "");
        if (string.IsNullOrEmpty(path))
            throw new ConfigurationException($"{TcpPath}.ssl.certificate.path is empty (and use-thumbprint-over-file is off)");
        var flags = (ssl.GetStringList("certificate.flags", []) ?? [])
            .Aggregate(X509KeyStorageFlags.DefaultKeySet, (all, flag) => all | KeyStorageFlag(flag));
        try
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, ssl.GetString("certificate.password", ""), flags);
        }
        catch (CryptographicException e)
        {
            throw new ConfigurationException($"Cannot load the certificate {path} ({TcpPath}.ssl.certificate.path): {e.Message}", e);
        }
    }

    /// <summary>One of <c>ssl.certificate.flags</c>, named as Akka names them.</summary>
    private static X509KeyStorageFlags KeyStorageFlag(string flag) => flag switch
    {
        "default-key-set" => X509KeyStorageFlags.DefaultKeySet,
        "exportable" => X509KeyStorageFlags.Exportable,
        "machine-key-set" => X509KeyStorageFlags.MachineKeySet,
        "persist-key-set" => X509KeyStorageFlags.PersistKeySet,
        "user-key-set" => X509KeyStorageFlags.UserKeySet,
        "user-protected" => X509KeyStorageFlags.UserProtected,
        _ => throw new ConfigurationException(
            $"Unknown flag [{flag}] in {TcpPath}.ssl.certificate.flags: default-key-set, exportable, machine-key-set, persist-key-set, user-key-set or user-protected"),
    };

    /// <summary>
    /// Akka's <c>SslSettings.ValidateCertificate</c>, which it runs before listening: the private
    /// key must be there and usable (RSA or ECDSA, the kinds SslStream presents), so a gateway
    /// fails at start rather than at its first handshake.
    /// </summary>
    private static void RequireUsablePrivateKey(X509Certificate2 certificate)
    {
        if (!certificate.HasPrivateKey)
            throw new ConfigurationException($"The cluster certificate {certificate.Subject} has no private key");
        try
        {
            using var rsa = certificate.GetRSAPrivateKey();
            using var ecdsa = certificate.GetECDsaPrivateKey();
            if (rsa is null && ecdsa is null)
                throw new ConfigurationException($"The private key of the cluster certificate {certificate.Subject} is neither RSA nor ECDSA, or cannot be read");
        }
        catch (CryptographicException e)
        {
            throw new ConfigurationException($"The private key of the cluster certificate {certificate.Subject} cannot be used: {e.Message}", e);
        }
    }
}
