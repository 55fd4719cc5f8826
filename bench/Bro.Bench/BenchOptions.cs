using System.Globalization;

namespace Bro.Bench;

/// <summary>The bench's command line: a role (driver by default) and its options.</summary>
internal sealed record BenchOptions
{
    /// <summary>driver (default), or the role of a process the driver starts (callee, relay, remote-echo...: see Program.cs).</summary>
    public string Role { get; init; } = "driver";

    /// <summary>Multiplies every call count; 1 for the full run, 0.1 with <c>--quick</c>.</summary>
    public double Scale { get; init; } = 1;

    /// <summary>
    /// Which driver runs the scenarios: <c>client</c> (BroClient callers and callee processes),
    /// <c>raw</c> (pre-encoded frames on plain sockets, see <see cref="RawDriver"/>) or <c>all</c>.
    /// Default <c>client</c>; <c>all</c> with <c>--quick</c>, so the smoke run covers both.
    /// <c>grpc</c> runs the gRPC echo target alone and <c>compare</c> Bro JSON, Bro MessagePack and
    /// gRPC side by side in alternating rounds (see <see cref="Compare.CompareDriver"/>);
    /// <c>federation</c> the raw workload across two clustered gateways (see <see cref="FederationDriver"/>).
    /// </summary>
    public string Driver => _driver ?? (Quick ? "all" : "client");

    private string? _driver;

    /// <summary>Set by <c>--quick</c>: the scaled-down smoke run.</summary>
    public bool Quick { get; init; }

    /// <summary>Whether the BroClient-driven scenarios run.</summary>
    public bool RunsClientDriver => Driver is "client" or "all";

    /// <summary>Whether the raw-socket scenarios run.</summary>
    public bool RunsRawDriver => Driver is "raw" or "all";

    /// <summary>Where the JSON report goes; <c>null</c> for none.</summary>
    public string? JsonFile { get; init; }

    /// <summary>The sockets a role binds (relay) or connects to (callee: the first).</summary>
    public IReadOnlyList<string> Sockets { get; init; } = [];

    /// <summary>The socket a callee's nested calls go out on (the chain's second relay hop); defaults to its own.</summary>
    public string? NextSocket { get; init; }

    /// <summary>The service a callee's <c>nested</c> method calls; <c>null</c> when it has none.</summary>
    public string? Next { get; init; }

    /// <summary>The callee's service name.</summary>
    public string Name { get; init; } = "svc";

    /// <summary>Scenario names to run (plus <c>idle</c> for the idle connections); empty for all.</summary>
    public IReadOnlySet<string> Only { get; init; } = new HashSet<string>();

    /// <summary>Whether <paramref name="name"/> is to run.</summary>
    public bool Runs(string name) => Only.Count == 0 || Only.Contains(name);

    /// <summary>
    /// Extra environment variables (NAME=VALUE) for the gateway process only: runtime tuning
    /// experiments. <c>--listen-metrics</c> adds <c>DOTNET_STARTUP_HOOKS</c> naming this bench's
    /// <see cref="StartupHook"/>: a listener on the gateway's meter.
    /// </summary>
    public IReadOnlyList<string> GatewayEnv { get; init; } = [];

    /// <summary>
    /// <c>--with-monitor</c>: the raw driver runs <c>bro monitor</c> (its output discarded) against
    /// each gateway it measures, to measure what being watched costs the gateway.
    /// </summary>
    public bool WithMonitor { get; init; }

    /// <summary>
    /// <c>--listen-telemetry</c>: the client driver's processes record every <c>Bro.Client</c>
    /// activity and measurement (<see cref="ClientTelemetryListener"/>), to measure what tracing
    /// and metrics cost a client while someone listens.
    /// </summary>
    public bool ListenTelemetry { get; init; }

    /// <summary>json or msgpack.</summary>
    public string Serializer { get; init; } = "json";

    /// <summary>Set by <c>--chaos &lt;duration&gt;</c>: run the chaos scenario (see <see cref="ChaosRun"/>) for this long instead of the load scenarios.</summary>
    public TimeSpan? Chaos { get; init; }

    /// <summary>
    /// <c>--chaos-grace &lt;time&gt;</c>: how long after its deadline a call's answer may arrive before
    /// it counts as late. Default 100 ms. Late answers fail the run only past <see cref="ChaosMaxLate"/>.
    /// </summary>
    public TimeSpan ChaosGrace { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary><c>--chaos-max-late &lt;n&gt;</c>: how many late answers the chaos run tolerates. Default 0.</summary>
    public long ChaosMaxLate { get; init; }

    /// <summary>Set by <c>--memory-burst</c>: the gateway's RSS around four 16 MiB frames and the idle after them (see <see cref="MemoryBurst"/>).</summary>
    public bool MemoryBurst { get; init; }

    /// <summary>A chaos callee's connections (<c>--pool</c>): the first registers the service, the others join its pool. Default 1.</summary>
    public int Pool { get; init; } = 1;

    /// <summary>Parses <c>[role] [--option value]...</c>; an unknown option throws <see cref="ArgumentException"/>.</summary>
    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        var sockets = new List<string>();
        var start = 0;
        if (args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal))
        {
            options = options with { Role = args[0] };
            start = 1;
        }

        for (var i = start; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--quick" => options with { Scale = 0.1, Quick = true },
                "--driver" => options with { _driver = CheckedDriver(Value()) },
                "--scale" => options with { Scale = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--json" => options with { JsonFile = Value() },
                "--gateway-env" => options with { GatewayEnv = [.. options.GatewayEnv, Value()] },
                // The gateway process runs with a listener on its Bro.Gateway meter (StartupHook),
                // to measure what metrics cost while someone reads them.
                "--listen-metrics" => options with
                {
                    GatewayEnv = [.. options.GatewayEnv, "DOTNET_STARTUP_HOOKS=" + Path.Combine(AppContext.BaseDirectory, "Bro.Bench.dll")],
                },
                "--with-monitor" => options with { WithMonitor = true },
                "--listen-telemetry" => options with { ListenTelemetry = true },
                "--only" => options with { Only = Value().Split(',').ToHashSet() },
                "--socket" => Add(options, sockets, Value()),
                "--next-socket" => options with { NextSocket = Value() },
                "--next" => options with { Next = Value() },
                "--name" => options with { Name = Value() },
                "--serializer" => options with { Serializer = Value() },
                "--chaos" => options with { Chaos = Durations.Parse(Value()) },
                "--chaos-grace" => options with { ChaosGrace = Durations.Parse(Value()) },
                "--chaos-max-late" => options with { ChaosMaxLate = long.Parse(Value(), CultureInfo.InvariantCulture) },
                "--memory-burst" => options with { MemoryBurst = true },
                "--pool" => options with { Pool = int.Parse(Value(), CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return options with { Sockets = sockets };
    }

    private static string CheckedDriver(string value) =>
        value is "client" or "raw" or "all" or "grpc" or "compare" or "federation"
            ? value
            : throw new ArgumentException($"--driver {value}: expected client, raw, all, grpc, compare or federation");

    private static BenchOptions Add(BenchOptions options, List<string> sockets, string socket)
    {
        sockets.Add(socket);
        return options;
    }
}
