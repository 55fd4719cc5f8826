using Akka.Configuration;
using Bro.Routing;
using Bro.Security;

namespace Bro.Configuration;

/// <summary>
/// The gateway's resolved settings. Build them from HOCON with <see cref="Create(Config)"/>
/// (section <c>bro.gateway</c>, see <c>reference.conf</c>) or in code with an object initializer;
/// each property's default is stated in its documentation.
/// </summary>
/// <remarks>Immutable, so it can be shared between actors.</remarks>
public sealed record GatewaySettings
{
    /// <summary>The settings with every default.</summary>
    public static GatewaySettings Default { get; } = new();

    /// <summary>Unix socket path to listen on. Default <c>/tmp/bro-gateway.sock</c>.</summary>
    public string SocketPath { get; init; } = "/tmp/bro-gateway.sock";

    /// <summary>
    /// Permissions of the socket file: who may connect. Default <c>0660</c> (owner and group
    /// read/write), whatever the process's umask; HOCON takes it as an octal string.
    /// </summary>
    public UnixFileMode SocketMode { get; init; } =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    /// <summary>Largest payload accepted, in bytes, prefix excluded. Default 16 MiB.</summary>
    public int MaxFrameSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>Heartbeat interval services are expected to follow. Default 30 s.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(30);

    private TimeSpan? _heartbeatTimeout;

    /// <summary>
    /// Silence after which a connection is evicted. Default 3 × <see cref="HeartbeatInterval"/>
    /// (90 s with the default interval).
    /// </summary>
    public TimeSpan HeartbeatTimeout
    {
        get => _heartbeatTimeout ?? HeartbeatInterval * 3;
        init => _heartbeatTimeout = value;
    }

    /// <summary>
    /// How long a new connection has to send REGISTER; past it the gateway answers ERROR
    /// (CONNECTION_FAILED) and closes it, so idle strangers cannot pile up. Default 10 s.
    /// </summary>
    public TimeSpan RegisterTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the registry checks all connections for silence. Default 5 s.</summary>
    public TimeSpan HeartbeatCheckInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline given to a CALL that carries none. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Deepest call chain accepted. Default 100.</summary>
    public int MaxDepth { get; init; } = 100;

    /// <summary>
    /// Calls one connection may have in flight through the gateway at once; the call over it is
    /// answered at once with an error RESPONSE, code <c>MAX_IN_FLIGHT_EXCEEDED</c>. Default 10,000.
    /// </summary>
    public int MaxCallsInFlight { get; init; } = 10_000;

    /// <summary>
    /// Ids of calls finished without their target's answer that one target connection remembers,
    /// so a late RESPONSE is dropped rather than answering a newer call given the same id. Default 1,024.
    /// </summary>
    public int AbandonedIdsKept { get; init; } = 1_024;

    /// <summary>
    /// Connections the gateway keeps open at once; one more is answered ERROR (CONNECTION_FAILED)
    /// and closed at once. Default 10,000.
    /// </summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Longest service name a REGISTER may carry, in UTF-8 bytes. Default 256.</summary>
    public int MaxServiceNameLength { get; init; } = 256;

    /// <summary>Most methods one REGISTER may list. Default 1,000.</summary>
    public int MaxMethods { get; init; } = 1000;

    /// <summary>Largest <c>metadata</c> a REGISTER may carry, in encoded bytes. Default 64 KiB.</summary>
    public int MaxMetadataSize { get; init; } = 64 * 1024;

    /// <summary>
    /// Length of the socket's listen backlog: connects the kernel holds while the gateway
    /// accepts earlier ones (the kernel caps it at <c>net.core.somaxconn</c>). Default 4,096.
    /// </summary>
    public int ListenBacklog { get; init; } = 4096;

    /// <summary>
    /// Bytes a connection may have waiting to be written before it is dropped as a peer that
    /// stopped reading. Counted in bytes, not frames, so a burst of small frames the gateway
    /// itself sends (errors for a lost target's callers) never trips it. Default 32 MiB.
    /// </summary>
    public long OutboundQueueLimit { get; init; } = 32 * 1024 * 1024;

    /// <summary>
    /// How long a connection whose outbound queue is full may go without a write making progress
    /// before it is dropped as a slow consumer (its callers are answered CONNECTION_LOST). Until
    /// then the connections sending to it are slowed, not dropped. Default 10 s.
    /// </summary>
    public TimeSpan SlowConsumerTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often the router checks every connection for a slow consumer and, as a backstop,
    /// for calls past their deadline (a timer set to the earliest deadline answers those within
    /// milliseconds). Default 1 s.
    /// </summary>
    public TimeSpan PendingSweepInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a CALL to a service that is not registered waits for it to register (never past
    /// its deadline) before it is answered SERVICE_NOT_FOUND; zero answers at once. Default 250 ms.
    /// </summary>
    public TimeSpan RegistrationGrace { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long a connection whose queue is full holds back the connections sending to it; past
    /// it their CALLs to it are answered SERVICE_BUSY and their other frames flow. Default 50 ms.
    /// </summary>
    public TimeSpan CongestionTimeout { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Recent CALL and RESPONSE records kept for the built-in service's <c>monitor</c> method
    /// (<c>bro monitor</c>), while a monitor watches. Default 4096.
    /// </summary>
    public int MonitorBufferSize { get; init; } = 4096;

    /// <summary>
    /// How calls are spread over the connections of a service that has several (a pool, the
    /// instances of a group), unless it is a group whose first REGISTER names another in <c>metadata.balance</c>.
    /// Default <see cref="BalancingStrategy.RoundRobin"/>; HOCON takes <c>round-robin</c>,
    /// <c>least-in-flight</c> or <c>random</c>.
    /// </summary>
    public BalancingStrategy DefaultBalancing { get; init; } = BalancingStrategy.RoundRobin;

    /// <summary>Log every routed frame at debug level. Default <c>false</c>.</summary>
    public bool Debug { get; init; }

    /// <summary>Product name sent in REGISTER_ACK. Default <c>bro</c>.</summary>
    public string GatewayName { get; init; } = "bro";

    /// <summary>
    /// Who may connect, register which names and call which services, by the peer's uid and gid.
    /// Default <c>null</c>: no policy, anyone who can open the socket (see <see cref="SocketMode"/>)
    /// may register any free name and call any service.
    /// </summary>
    public GatewayPolicy? Policy { get; init; }

    /// <summary>
    /// How the gateway joins other gateways in an Akka.Cluster (HOCON <c>bro.gateway.cluster</c>).
    /// Default <c>null</c>: a single-host gateway, which loads no remoting at all.
    /// </summary>
    public Federation.FederationSettings? Cluster { get; init; }

    /// <summary>
    /// Reads the <c>bro.gateway</c> section of <paramref name="config"/>, falling back to
    /// <see cref="BroConfig.Default"/> for every key it does not set.
    /// </summary>
    /// <param name="config">The whole configuration (for example <c>ActorSystem.Settings.Config</c>).</param>
    /// <exception cref="ConfigurationException">A value is out of range.</exception>
    public static GatewaySettings Create(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var c = config.WithFallback(BroConfig.Default).GetConfig("bro.gateway");

        var maxFrameSize = c.GetByteSize("max-frame-size") ?? Default.MaxFrameSize;
        if (maxFrameSize is <= 0 or > int.MaxValue)
            throw new ConfigurationException($"bro.gateway.max-frame-size must be between 1 and {int.MaxValue} bytes, was {maxFrameSize}");

        var interval = c.GetTimeSpan("heartbeat-interval");

        var settings = new GatewaySettings
        {
            SocketPath = c.GetString("socket-path"),
            SocketMode = ParseMode(c.GetString("socket-mode")),
            MaxFrameSize = (int)maxFrameSize,
            HeartbeatInterval = interval,
            HeartbeatCheckInterval = c.GetTimeSpan("heartbeat-check-interval"),
            RegisterTimeout = c.GetTimeSpan("register-timeout"),
            RequestTimeout = c.GetTimeSpan("request-timeout"),
            MaxDepth = c.GetInt("max-depth"),
            MaxCallsInFlight = c.GetInt("max-calls-in-flight"),
            AbandonedIdsKept = c.GetInt("abandoned-ids-kept"),
            ListenBacklog = c.GetInt("listen-backlog"),
            MaxConnections = c.GetInt("max-connections"),
            MaxServiceNameLength = c.GetInt("max-service-name-length"),
            MaxMethods = c.GetInt("max-methods"),
            MaxMetadataSize = (int)Math.Min(int.MaxValue, c.GetByteSize("max-metadata-size") ?? Default.MaxMetadataSize),
            OutboundQueueLimit = c.GetByteSize("outbound-queue-limit") ?? Default.OutboundQueueLimit,
            PendingSweepInterval = c.GetTimeSpan("pending-sweep-interval"),
            RegistrationGrace = c.GetTimeSpan("registration-grace"),
            CongestionTimeout = c.GetTimeSpan("congestion-timeout"),
            SlowConsumerTimeout = c.GetTimeSpan("slow-consumer-timeout"),
            DefaultBalancing = ParseBalancing(c.GetString("default-balancing")),
            Debug = c.GetBoolean("debug"),
            MonitorBufferSize = c.GetInt("monitor-buffer-size"),
            GatewayName = c.GetString("gateway-name"),
            Policy = GatewayPolicy.FromConfig(c.GetConfig("policy")),
            Cluster = Federation.FederationSettings.Create(c),
        };
        // "auto" leaves the timeout unset, so it keeps following the interval (also through `with`).
        if (!string.Equals(c.GetString("heartbeat-timeout", "auto"), "auto", StringComparison.OrdinalIgnoreCase))
            settings = settings with { HeartbeatTimeout = c.GetTimeSpan("heartbeat-timeout") };
        Validate(settings);
        return settings;
    }

    private static UnixFileMode ParseMode(string text)
    {
        // Octal, as chmod takes it: "0660", "660", "0600".
        try
        {
            var mode = Convert.ToInt32(text, 8);
            if (mode is >= 0 and <= 0x1FF)
                return (UnixFileMode)mode;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
        }

        throw new ConfigurationException($"bro.gateway.socket-mode must be an octal file mode from 000 to 777, was '{text}'");
    }

    private static BalancingStrategy ParseBalancing(string text) =>
        BalancingStrategies.TryParse(text, out var strategy)
            ? strategy
            : throw new ConfigurationException(
                $"bro.gateway.default-balancing must be one of {string.Join(", ", BalancingStrategies.Names)}, was '{text}'");

    private static void Validate(GatewaySettings s)
    {
        static void Positive(TimeSpan value, string key)
        {
            if (value <= TimeSpan.Zero)
                throw new ConfigurationException($"bro.gateway.{key} must be positive, was {value}");
        }

        Positive(s.HeartbeatInterval, "heartbeat-interval");
        Positive(s.HeartbeatTimeout, "heartbeat-timeout");
        Positive(s.HeartbeatCheckInterval, "heartbeat-check-interval");
        Positive(s.RegisterTimeout, "register-timeout");
        Positive(s.RequestTimeout, "request-timeout");
        Positive(s.PendingSweepInterval, "pending-sweep-interval");
        Positive(s.SlowConsumerTimeout, "slow-consumer-timeout");
        Positive(s.CongestionTimeout, "congestion-timeout");
        if (s.RegistrationGrace < TimeSpan.Zero)
            throw new ConfigurationException($"bro.gateway.registration-grace must not be negative, was {s.RegistrationGrace}");
        if (s.AbandonedIdsKept < 1)
            throw new ConfigurationException($"bro.gateway.abandoned-ids-kept must be at least 1, was {s.AbandonedIdsKept}");
        if (s.MonitorBufferSize < 1)
            throw new ConfigurationException($"bro.gateway.monitor-buffer-size must be at least 1, was {s.MonitorBufferSize}");
        if (s.MaxCallsInFlight < 1)
            throw new ConfigurationException($"bro.gateway.max-calls-in-flight must be at least 1, was {s.MaxCallsInFlight}");
        if (s.MaxConnections < 1)
            throw new ConfigurationException($"bro.gateway.max-connections must be at least 1, was {s.MaxConnections}");
        if (s.MaxServiceNameLength < 1)
            throw new ConfigurationException($"bro.gateway.max-service-name-length must be at least 1, was {s.MaxServiceNameLength}");
        if (s.MaxMethods < 0)
            throw new ConfigurationException($"bro.gateway.max-methods must not be negative, was {s.MaxMethods}");
        if (s.MaxMetadataSize < 0)
            throw new ConfigurationException($"bro.gateway.max-metadata-size must not be negative, was {s.MaxMetadataSize}");
        if (s.ListenBacklog < 1)
            throw new ConfigurationException($"bro.gateway.listen-backlog must be at least 1, was {s.ListenBacklog}");
        if (s.MaxDepth < 1)
            throw new ConfigurationException($"bro.gateway.max-depth must be at least 1, was {s.MaxDepth}");
        if (s.OutboundQueueLimit < 1)
            throw new ConfigurationException($"bro.gateway.outbound-queue-limit must be at least 1 byte, was {s.OutboundQueueLimit}");
    }
}
