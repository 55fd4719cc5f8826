using System.CommandLine;

namespace Bro.Gateway.Commands;

/// <summary>
/// The options of <c>bro serve</c> (also those of <c>bro</c> alone), each with the environment
/// variable that sets it when it is not given and the <c>bro.gateway</c> key it sets.
/// </summary>
internal sealed class ServeOptions
{
    /// <summary>How a value is checked and written as HOCON.</summary>
    public enum ValueKind { Text, Duration, Size, Flag, Port }

    public ServeOptions(Option<string?> socket)
    {
        Settings =
        [
            (socket, "BRO_SOCKET", "socket-path", ValueKind.Text),
            (SocketMode, "BRO_SOCKET_MODE", "socket-mode", ValueKind.Text),
            (HeartbeatInterval, "BRO_HEARTBEAT_INTERVAL", "heartbeat-interval", ValueKind.Duration),
            (Timeout, "BRO_TIMEOUT", "request-timeout", ValueKind.Duration),
            (MaxFrameSize, "BRO_MAX_FRAME_SIZE", "max-frame-size", ValueKind.Size),
            (Debug, "BRO_DEBUG", "debug", ValueKind.Flag),
            (ClusterPort, "BRO_CLUSTER_PORT", "cluster.port", ValueKind.Port),
            (ClusterHost, "BRO_CLUSTER_HOST", "cluster.hostname", ValueKind.Text),
            (ClusterDataPort, "BRO_CLUSTER_DATA_PORT", "cluster.data-port", ValueKind.Port),
        ];
    }

    /// <summary><c>--socket-mode</c>.</summary>
    public Option<string?> SocketMode { get; } = new("--socket-mode")
    {
        Description = "Socket file permissions (default 0660)  [env BRO_SOCKET_MODE]",
        HelpName = "octal",
    };

    /// <summary><c>--config</c>: a HOCON file with a <c>bro.gateway</c> section.</summary>
    public Option<string?> Config { get; } = new("--config")
    {
        Description = "HOCON file with a bro.gateway section  [env BRO_CONFIG]",
        HelpName = "file",
    };

    /// <summary><c>--heartbeat-interval</c>.</summary>
    public Option<string?> HeartbeatInterval { get; } = new("--heartbeat-interval")
    {
        Description = "Expected heartbeat interval: ms or a HOCON duration (default 30s)  [env BRO_HEARTBEAT_INTERVAL]",
        HelpName = "time",
    };

    /// <summary><c>--timeout</c>: the request timeout.</summary>
    public Option<string?> Timeout { get; } = new("--timeout")
    {
        Description = "Request timeout: ms or a HOCON duration (default 30s)  [env BRO_TIMEOUT]",
        HelpName = "time",
    };

    /// <summary><c>--max-frame-size</c>.</summary>
    public Option<string?> MaxFrameSize { get; } = new("--max-frame-size")
    {
        Description = "Largest frame accepted: bytes or a HOCON size (default 16MiB)  [env BRO_MAX_FRAME_SIZE]",
        HelpName = "size",
    };

    /// <summary><c>--debug</c>: a flag, or <c>--debug=false</c>.</summary>
    public Option<string?> Debug { get; } = new("--debug")
    {
        Description = "Log every routed call  [env BRO_DEBUG=true]",
        Arity = ArgumentArity.ZeroOrOne,
        HelpName = "bool",
    };

    /// <summary>
    /// <c>--metrics-port</c>: serve Prometheus text at <c>/metrics</c> and <c>/health</c> on
    /// localhost. A property of this process, not a gateway setting: a hosted gateway exposes its
    /// metrics through the host's own OpenTelemetry instead.
    /// </summary>
    public Option<int?> MetricsPort { get; } = new("--metrics-port")
    {
        Description = "Serve /metrics (Prometheus text) and /health on localhost:N  [env BRO_METRICS_PORT]",
        HelpName = "N",
    };

    /// <summary><c>--cluster-port</c>: join other gateways in an Akka.Cluster, listening for them on this port.</summary>
    public Option<string?> ClusterPort { get; } = new("--cluster-port")
    {
        Description = "Join a cluster of gateways, listening for them on this TCP port (0: any free port)  [env BRO_CLUSTER_PORT]",
        HelpName = "port",
    };

    /// <summary><c>--cluster-data-port</c>: the port other gateways send call frames to.</summary>
    public Option<string?> ClusterDataPort { get; } = new("--cluster-data-port")
    {
        Description = "TCP port other gateways send call frames to (default 0: any free port, learnt through the cluster)  [env BRO_CLUSTER_DATA_PORT]",
        HelpName = "port",
    };

    /// <summary><c>--cluster-host</c>: the address other gateways reach this one at.</summary>
    public Option<string?> ClusterHost { get; } = new("--cluster-host")
    {
        Description = "Address the cluster port binds to and other gateways use (default 127.0.0.1)  [env BRO_CLUSTER_HOST]",
        HelpName = "host",
    };

    /// <summary><c>--seed-node</c>, repeatable: the gateways to join through.</summary>
    public Option<string[]> SeedNodes { get; } = new("--seed-node")
    {
        Description = "A gateway to join through, akka.tcp://bro@host:port; repeat for several  [env BRO_SEED_NODES, comma-separated]",
        HelpName = "address",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary>Each setting option with its environment variable, HOCON key and kind of value.</summary>
    public IReadOnlyList<(Option<string?> Option, string Env, string Key, ValueKind Kind)> Settings { get; }

    /// <summary>Adds the serve options (not <c>--socket</c>, which every command has) to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Add(SocketMode);
        command.Add(Config);
        command.Add(HeartbeatInterval);
        command.Add(Timeout);
        command.Add(MaxFrameSize);
        command.Add(Debug);
        command.Add(MetricsPort);
        command.Add(ClusterPort);
        command.Add(ClusterHost);
        command.Add(ClusterDataPort);
        command.Add(SeedNodes);
    }
}
