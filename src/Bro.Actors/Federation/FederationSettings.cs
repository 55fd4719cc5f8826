using System.Collections.Immutable;
using Akka.Configuration;

namespace Bro.Federation;

/// <summary>
/// How a gateway joins the other gateways of an Akka.Cluster (HOCON <c>bro.gateway.cluster</c>):
/// the port it listens on for them, the seed nodes it joins through, and how it routes a service
/// that runs in several places. <see cref="Configuration.GatewaySettings.Cluster"/> is <c>null</c>
/// for a single-host gateway, which then loads no remoting at all.
/// </summary>
/// <remarks>Immutable. Akka's own cluster settings (failure detector, split-brain resolver,
/// TLS) are read from the <c>akka</c> section as usual; <see cref="FederationConfig"/> writes the
/// ones Bro chooses.</remarks>
public sealed record FederationSettings
{
    /// <summary>The actor system's name in a cluster: seed addresses read <c>akka.tcp://bro@host:port</c>.</summary>
    public const string SystemName = "bro";

    /// <summary>TCP port the gateway listens on for other gateways; 0 picks a free one. Required in HOCON (no default there).</summary>
    public int Port { get; init; }

    /// <summary>
    /// TCP port the frames of calls between gateways travel on: each gateway opens a direct link
    /// to each other one it sends to, with a token handed out over the cluster. Default 0: a free
    /// port (every gateway learns the others' ports through the cluster); set it when a firewall
    /// sits between hosts.
    /// </summary>
    public int DataPort { get; init; }

    /// <summary>
    /// The most connections to the data port that may be waiting for their TLS handshake and
    /// hello at once; more are closed at once. Default 16: what strangers can make the port hold.
    /// </summary>
    public int MaxHandshakes { get; init; } = 16;

    /// <summary>The default of <see cref="HandshakeTimeout"/>: 5 s.</summary>
    internal static readonly TimeSpan DefaultHandshakeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long a connection to the data port has for its TLS handshake and hello (and a link this gateway opens, to connect). Default 5 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = DefaultHandshakeTimeout;

    /// <summary>Address the port binds to and other gateways reach this one at. Default <c>127.0.0.1</c>; set the host's address on a real network.</summary>
    public string Hostname { get; init; } = "127.0.0.1";

    /// <summary>
    /// The address other gateways should use when it differs from <see cref="Hostname"/> (behind
    /// NAT, or binding <c>0.0.0.0</c>). Default <c>null</c>: <see cref="Hostname"/>.
    /// </summary>
    public string? PublicHostname { get; init; }

    /// <summary>
    /// Gateways to join through, as Akka addresses (<c>akka.tcp://bro@host:port</c>;
    /// <c>akka.ssl.tcp://</c> when the cluster port speaks TLS). A gateway
    /// that lists itself first starts the cluster. Default empty: the gateway waits to be joined.
    /// </summary>
    public ImmutableArray<string> SeedNodes { get; init; } = [];

    /// <summary>
    /// Whether a service with connections on this gateway is routed to them only (default
    /// <c>true</c>), rather than spread over them and the other gateways that serve it.
    /// </summary>
    public bool PreferLocal { get; init; } = true;

    /// <summary>
    /// A shared secret every gateway of the cluster must be configured with. A member that cannot
    /// prove it within <see cref="SecretTimeout"/> is never routed to and is downed. Default
    /// <c>null</c>: no check (protect the port with TLS or the network instead).
    /// </summary>
    public string? Secret { get; init; }

    /// <summary>How long a new member has to prove <see cref="Secret"/> before it is downed. Default 10 s.</summary>
    public TimeSpan SecretTimeout { get; init; } = TimeSpan.FromSeconds(10);

    // Settings get logged (records print every property): the secret never is.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Port = {Port}, DataPort = {DataPort}, MaxHandshakes = {MaxHandshakes}, HandshakeTimeout = {HandshakeTimeout}, Hostname = {Hostname}, PublicHostname = {PublicHostname}, SeedNodes = [{string.Join(", ", SeedNodes)}], ");
        builder.Append($"PreferLocal = {PreferLocal}, Secret = {(Secret is null ? "null" : "***")}, SecretTimeout = {SecretTimeout}");
        return true;
    }

    /// <summary>Reads <c>bro.gateway.cluster</c>; <c>null</c> when it has no <c>port</c> (a single-host gateway).</summary>
    internal static FederationSettings? Create(Config gateway)
    {
        var c = gateway.GetConfig("cluster");
        if (c is null || !c.HasPath("port"))
            return null;
        var settings = new FederationSettings
        {
            Port = c.GetInt("port"),
            DataPort = c.GetInt("data-port", 0),
            MaxHandshakes = c.GetInt("max-handshakes", 16),
            HandshakeTimeout = c.GetTimeSpan("handshake-timeout", DefaultHandshakeTimeout),
            Hostname = c.GetString("hostname", "127.0.0.1"),
            PublicHostname = c.GetString("public-hostname", "") is { Length: > 0 } pub ? pub : null,
            SeedNodes = [.. c.GetStringList("seed-nodes") ?? []],
            PreferLocal = c.GetBoolean("prefer-local", true),
            Secret = c.GetString("secret", "") is { Length: > 0 } secret ? secret : null,
            SecretTimeout = c.GetTimeSpan("secret-timeout", TimeSpan.FromSeconds(10)),
        };
        if (settings.Port is < 0 or > 65535)
            throw new ConfigurationException($"bro.gateway.cluster.port must be between 0 and 65535, was {settings.Port}");
        if (settings.MaxHandshakes < 1)
            throw new ConfigurationException($"bro.gateway.cluster.max-handshakes must be at least 1, was {settings.MaxHandshakes}");
        if (settings.HandshakeTimeout <= TimeSpan.Zero)
            throw new ConfigurationException($"bro.gateway.cluster.handshake-timeout must be positive, was {settings.HandshakeTimeout}");
        if (settings.DataPort is < 0 or > 65535)
            throw new ConfigurationException($"bro.gateway.cluster.data-port must be between 0 and 65535, was {settings.DataPort}");
        foreach (var seed in settings.SeedNodes)
        {
            // akka.ssl.tcp when the cluster port speaks TLS (akka.remote.dot-netty.tcp.enable-ssl).
            if (!seed.StartsWith($"akka.tcp://{SystemName}@", StringComparison.Ordinal)
                && !seed.StartsWith($"akka.ssl.tcp://{SystemName}@", StringComparison.Ordinal))
                throw new ConfigurationException(
                    $"bro.gateway.cluster.seed-nodes must be addresses like akka.tcp://{SystemName}@host:port (akka.ssl.tcp with TLS), was '{seed}'");
        }

        return settings;
    }
}
