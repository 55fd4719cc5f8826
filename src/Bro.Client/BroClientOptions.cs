using System.Text.Json;
using Akka.Configuration;
using Bro.Client.Internal;
using Bro.Protocol;
using Bro.Routing;
using Microsoft.Extensions.Logging;

namespace Bro.Client;

/// <summary>
/// What a user sets to create a <see cref="BroClient"/>. Every property but
/// <see cref="ServiceName"/> has a default, stated in its documentation and mirrored in the
/// <c>bro.client</c> section of the embedded <c>reference.conf</c>.
/// </summary>
public sealed record BroClientOptions
{
    /// <summary>Name this service registers under; required, unique per gateway.</summary>
    public required string ServiceName { get; init; }

    /// <summary>Path of the gateway's Unix domain socket. Default <c>/tmp/bro-gateway.sock</c>.</summary>
    public string GatewayPath { get; init; } = "/tmp/bro-gateway.sock";

    /// <summary>Reconnect (and re-register) by itself when the connection drops. Default <c>true</c>.</summary>
    public bool AutoReconnect { get; init; } = true;

    /// <summary>
    /// First reconnect delay; each further attempt doubles it, capped at 30 s. Default 5 s.
    /// </summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Default call timeout. Default 30 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Interval of HEARTBEAT frames. Default 30 s. When a Bro gateway announces a shorter
    /// interval in REGISTER_ACK, that one is used.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Wire encoding. Default <see cref="BroSerializer.Json"/>.</summary>
    public BroSerializer Serializer { get; init; } = BroSerializer.Json;

    /// <summary>Number of connections to open; calls are spread round-robin over them. Default 1.</summary>
    public int PoolSize { get; init; } = 1;

    /// <summary>
    /// Register as an instance of an instance group (REGISTER <c>metadata.group</c>): several
    /// processes may then serve <see cref="ServiceName"/>, and the gateway spreads the calls to it
    /// over all of them. Every instance must set it; the first one founds the group. Default
    /// <c>false</c>: the name is this client's alone.
    /// </summary>
    public bool Group { get; init; }

    /// <summary>
    /// This instance's id in its group (<c>metadata.instanceId</c>), unique in the group; only
    /// sent with <see cref="Group"/>. Default <c>null</c>: the process id and a random suffix,
    /// chosen once per client.
    /// </summary>
    public string? InstanceId { get; init; }

    /// <summary>
    /// How the gateway spreads the group's calls over its instances (<c>metadata.balance</c>);
    /// only the group's first instance decides, and only with <see cref="Group"/>. Default
    /// <c>null</c>: the gateway's <c>default-balancing</c>.
    /// </summary>
    public BalancingStrategy? Balance { get; init; }

    /// <summary>Log every frame and send stack traces in error responses. Default <c>false</c>.</summary>
    public bool Debug { get; init; }

    /// <summary>Version string sent in REGISTER. Default <c>null</c> (none).</summary>
    public string? Version { get; init; }

    /// <summary>How long connecting waits for REGISTER_ACK. Default 10 s.</summary>
    public TimeSpan RegisterTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest frame payload written or accepted, prefix excluded. Default 16 MiB.</summary>
    public int MaxFrameSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// Frames queued per connection before writers wait for the socket (backpressure). Default 10 000.
    /// </summary>
    public int OutboundQueueSize { get; init; } = 10_000;

    /// <summary>
    /// Handlers run at once, over all pooled connections. Default 256.
    /// </summary>
    /// <remarks>
    /// Further CALLs wait in a queue as long as this limit; when that is full too, the client
    /// stops reading the socket until a handler finishes, so the gateway's flow control slows the
    /// callers down. Calls are never dropped or refused, and RESPONSEs to this client's own calls
    /// (a handler's nested calls included) are read while CALLs wait in the queue. 256 bounds what
    /// a flood costs (tasks and their buffers, for at most 512 CALLs held) while staying far above
    /// what CPU-bound handlers could use on any machine: a waiting handler (a nested call, I/O)
    /// holds a slot without using a core, so a limit scaled to cores would starve I/O-bound
    /// services; and a fixed default behaves the same everywhere.
    /// </remarks>
    public int MaxConcurrentHandlers { get; init; } = 256;

    /// <summary>
    /// How parameters and results are written and read, in both encodings: property naming,
    /// nulls (<see cref="JsonSerializerOptions.DefaultIgnoreCondition"/>), enums, converters and
    /// <c>[JsonPropertyName]</c>-style attributes all shape the MessagePack map exactly as they
    /// shape the JSON object, so a peer sees the same keys either way. Default
    /// <see cref="RawValue.DefaultJsonOptions"/>: System.Text.Json's web defaults (camelCase
    /// names, case-insensitive reads, numbers read from strings), the names Node peers use.
    /// Not readable from HOCON (it holds code); set it in code or in the hosting callback.
    /// </summary>
    public JsonSerializerOptions SerializerOptions { get; init; } = RawValue.DefaultJsonOptions;

    /// <summary>
    /// Where the client logs: its own lines (those of <see cref="BroClient.Log"/>, under the
    /// category <c>Bro.Client.BroClient</c>) and, for a client that creates its own actor system,
    /// Akka's (connection lost, reconnecting). Default <c>null</c>: such a client logs nothing and
    /// writes nothing to the console; <see cref="BroClient.Log"/> still fires. A client running on
    /// a given actor system logs through that system's loggers (in a host, configure them with
    /// Akka.Hosting's <c>ConfigureLoggers</c>; <c>AddBroClient</c> sets this to the host's factory).
    /// Not read from configuration.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// Reads the <c>bro.client</c> section of <paramref name="config"/>, falling back to the
    /// embedded reference configuration for every missing key.
    /// </summary>
    /// <param name="config">A configuration holding a <c>bro.client</c> section.</param>
    /// <returns>The options; <see cref="ServiceName"/> is empty when the section sets none.</returns>
    /// <exception cref="ConfigurationException">A value is out of range or unknown.</exception>
    public static BroClientOptions FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var c = config.WithFallback(ClientConfig.Default).GetConfig("bro.client");
        var serializer = c.GetString("serializer", "json").ToLowerInvariant() switch
        {
            "json" => BroSerializer.Json,
            "msgpack" or "messagepack" => BroSerializer.MessagePack,
            var other => throw new ConfigurationException(
                $"bro.client.serializer must be json or msgpack, was '{other}'"),
        };
        var maxFrameSize = c.GetByteSize("max-frame-size") ?? 16 * 1024 * 1024;
        if (maxFrameSize is <= 0 or > int.MaxValue)
            throw new ConfigurationException(
                $"bro.client.max-frame-size must be between 1 and {int.MaxValue} bytes, was {maxFrameSize}");

        var version = c.GetString("version", null);
        var instanceId = c.GetString("instance-id", null);
        var balanceName = c.GetString("balance", null);
        BalancingStrategy? balance = null;
        if (!string.IsNullOrEmpty(balanceName))
        {
            balance = BalancingStrategies.TryParse(balanceName, out var strategy)
                ? strategy
                : throw new ConfigurationException(
                    $"bro.client.balance must be empty or one of {string.Join(", ", BalancingStrategies.Names)}, was '{balanceName}'");
        }

        return new BroClientOptions
        {
            ServiceName = c.GetString("service-name", string.Empty),
            GatewayPath = c.GetString("gateway-path"),
            AutoReconnect = c.GetBoolean("auto-reconnect"),
            ReconnectDelay = c.GetTimeSpan("reconnect-delay"),
            Timeout = c.GetTimeSpan("timeout"),
            HeartbeatInterval = c.GetTimeSpan("heartbeat-interval"),
            Serializer = serializer,
            PoolSize = c.GetInt("pool-size"),
            Debug = c.GetBoolean("debug"),
            Version = string.IsNullOrEmpty(version) ? null : version,
            RegisterTimeout = c.GetTimeSpan("register-timeout"),
            MaxFrameSize = (int)maxFrameSize,
            OutboundQueueSize = c.GetInt("outbound-queue-size"),
            MaxConcurrentHandlers = c.GetInt("max-concurrent-handlers"),
            Group = c.GetBoolean("group"),
            InstanceId = string.IsNullOrEmpty(instanceId) ? null : instanceId,
            Balance = balance,
        };
    }

    /// <summary>The encoding matching <see cref="Serializer"/>.</summary>
    internal BroEncoding Encoding => Serializer == BroSerializer.MessagePack ? BroEncoding.MessagePack : BroEncoding.Json;

    /// <summary>Throws when a value cannot work; called by the <see cref="BroClient"/> constructor.</summary>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ServiceName))
            throw new ArgumentException("BroClientOptions.ServiceName is required", nameof(ServiceName));
        ArgumentException.ThrowIfNullOrEmpty(GatewayPath, nameof(GatewayPath));
        ArgumentOutOfRangeException.ThrowIfLessThan(PoolSize, 1, nameof(PoolSize));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(Timeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HeartbeatInterval, TimeSpan.Zero, nameof(HeartbeatInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RegisterTimeout, TimeSpan.Zero, nameof(RegisterTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReconnectDelay, TimeSpan.Zero, nameof(ReconnectDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(OutboundQueueSize, 1, nameof(OutboundQueueSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrameSize, 1, nameof(MaxFrameSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentHandlers, 1, nameof(MaxConcurrentHandlers));
        if (InstanceId is not null && string.IsNullOrWhiteSpace(InstanceId))
            throw new ArgumentException("BroClientOptions.InstanceId must not be blank", nameof(InstanceId));
    }
}
