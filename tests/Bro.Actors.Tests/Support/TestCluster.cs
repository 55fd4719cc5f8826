using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Bro.Configuration;
using Bro.Federation;
using Bro.Hosting;
using Bro.Testing;
using Xunit.Abstractions;

namespace Bro.Actors.Tests.Support;

/// <summary>
/// Gateways on one machine that form one Akka.Cluster, each on its own actor system, socket and
/// localhost port, with a failure detector and split-brain resolver tuned to notice a lost
/// gateway within a few seconds instead of half a minute.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    /// <summary>
    /// Akka settings for tests: heartbeats every 200 ms, a pause of 1 s tolerated, the
    /// split-brain resolver acting after 1 s of stable unreachability. A crashed gateway is
    /// removed about 3 s after it stops answering heartbeats.
    /// </summary>
    private static readonly Config Fast = ConfigurationFactory.ParseString("""
        akka.loglevel = INFO
        akka.cluster.failure-detector.heartbeat-interval = 200ms
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 1s
        akka.cluster.failure-detector.expected-response-after = 200ms
        akka.cluster.split-brain-resolver.stable-after = 1s
        akka.cluster.gossip-interval = 200ms
        akka.cluster.leader-actions-interval = 200ms
        akka.cluster.unreachable-nodes-reaper-interval = 200ms
        akka.cluster.distributed-data.gossip-interval = 200ms
        akka.cluster.shutdown-after-unsuccessful-join-seed-nodes = off
        akka.remote.retry-gate-closed-for = 200ms
        akka.coordinated-shutdown.exit-clr = off
        # Terminate() alone is a crash (CrashAsync); a clean stop runs coordinated shutdown itself.
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        """);

    private readonly ITestOutputHelper _output;
    private readonly Func<int, FederationSettings, FederationSettings> _configure;
    private readonly Func<int, GatewaySettings, GatewaySettings> _gateway;
    private readonly TestNode?[] _nodes;
    private readonly int[] _ports;
    private readonly Config _akka;

    private TestCluster(ITestOutputHelper output, int size, Func<int, FederationSettings, FederationSettings> configure, Config? akka,
        Func<int, GatewaySettings, GatewaySettings>? gateway)
    {
        _gateway = gateway ?? ((_, s) => s);
        _akka = akka ?? Config.Empty;
        _output = output;
        _configure = configure;
        _nodes = new TestNode?[size];
        _ports = [.. Enumerable.Range(0, size).Select(_ => FreePort())];
    }

    /// <summary>The gateway at <paramref name="index"/>.</summary>
    public TestNode this[int index] => _nodes[index] ?? throw new InvalidOperationException($"Gateway {index} is not running");

    /// <summary>Where gateway <paramref name="index"/> listens for other gateways.</summary>
    public string AddressOf(int index) =>
        $"{(_akka.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl") ? "akka.ssl.tcp" : "akka.tcp")}://{FederationSettings.SystemName}@127.0.0.1:{_ports[index]}";

    /// <summary>
    /// Starts the first <paramref name="started"/> (default all) of <paramref name="size"/> gateways;
    /// the first is the seed node; <paramref name="configure"/> adjusts each one's settings by
    /// index, <paramref name="gateway"/> each one's gateway settings, and <paramref name="akka"/>
    /// comes before the test's Akka settings. Completes when every one started sees all of them Up.
    /// </summary>
    public static async Task<TestCluster> StartAsync(ITestOutputHelper output, int size = 3,
        Func<int, FederationSettings, FederationSettings>? configure = null, int? started = null, Config? akka = null,
        Func<int, GatewaySettings, GatewaySettings>? gateway = null)
    {
        var cluster = new TestCluster(output, size, configure ?? ((_, s) => s), akka, gateway);
        for (var i = 0; i < (started ?? size); i++)
            await cluster.StartNodeAsync(i);
        await cluster.AllUpAsync();
        return cluster;
    }

    /// <summary>
    /// Starts gateway <paramref name="index"/> (again, on its old port after a crash) and waits
    /// until it is Up, unless <paramref name="waitUntilUp"/> is false.
    /// </summary>
    public async Task<TestNode> StartNodeAsync(int index, bool waitUntilUp = true)
    {
        var directory = Directory.CreateTempSubdirectory("bro-").FullName;
        var federation = _configure(index, new FederationSettings { Port = _ports[index], SeedNodes = [AddressOf(0)] });
        var settings = _gateway(index, GatewaySettings.Default with { SocketPath = Path.Combine(directory, "gw.sock"), Cluster = federation });
        var config = FederationConfig.For(federation).WithFallback(_akka).WithFallback(Fast).WithFallback(BroConfig.Default);
        var system = ActorSystem.Create(FederationSettings.SystemName, config);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        var gateway = new BroGateway(settings, system);
        var name = (char)('A' + index);
        gateway.Log += (_, e) =>
        {
            if (e.LogLevel() >= Akka.Event.LogLevel.InfoLevel)
                Write($"[{name}] {e}");
        };
        await gateway.StartAsync();
        _nodes[index] = new TestNode(system, gateway, directory);
        if (waitUntilUp)
            await up.Task.WaitAsync(TimeSpan.FromSeconds(20));
        return _nodes[index]!;
    }

    /// <summary>Stops gateway <paramref name="index"/> the way a crash would: no leave, no answers; the others notice by the failure detector.</summary>
    public async Task CrashAsync(int index)
    {
        var node = this[index];
        _nodes[index] = null;
        // Without coordinated shutdown the system just stops: remoting goes quiet mid-call.
        await node.System.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
        await node.Gateway.DisposeAsync();
        Directory.Delete(node.Directory, recursive: true);
    }

    /// <summary>Stops gateway <paramref name="index"/> as SIGTERM would: its gateway stops (answering its calls), then it leaves the cluster.</summary>
    public async Task LeaveAsync(int index)
    {
        var node = this[index];
        _nodes[index] = null;
        await node.Gateway.DisposeAsync();
        await CoordinatedShutdown.Get(node.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).WaitAsync(TimeSpan.FromSeconds(20));
        Directory.Delete(node.Directory, recursive: true);
    }

    /// <summary>Completes when every running gateway sees every running gateway Up.</summary>
    public Task AllUpAsync() => Eventually.TrueAsync(() =>
    {
        var running = _nodes.Where(n => n is not null).ToArray();
        return Task.FromResult(running.All(n =>
            Cluster.Get(n!.System).State.Members.Count(m => m.Status == MemberStatus.Up) == running.Length));
    });

    /// <summary>Completes when gateway <paramref name="index"/> has been downed and its actor system has stopped (it shuts itself down).</summary>
    public async Task DownedAsync(int index)
    {
        var node = this[index];
        await node.System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
        _nodes[index] = null;
        await node.Gateway.DisposeAsync();
        Directory.Delete(node.Directory, recursive: true);
    }

    /// <summary>Completes when gateway <paramref name="from"/> routes calls for <paramref name="service"/> to gateway <paramref name="to"/>.</summary>
    public Task RoutesAsync(int from, string service, int to) => Eventually.TrueAsync(async () =>
    {
        var view = await this[from].Gateway.GetClusterViewAsync();
        return view is not null
               && view.Directory.Any(e => e.Service == service && e.Gateway == AddressOf(to))
               && view.Members.Any(m => m.Address == AddressOf(to) && m.Routed);
    });

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes.Where(n => n is not null).Reverse())
        {
            await node!.Gateway.DisposeAsync();
            // A clean stop: the gateway leaves the cluster before its system terminates.
            await CoordinatedShutdown.Get(node.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).WaitAsync(TimeSpan.FromSeconds(20));
            await node.System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(20));
            Directory.Delete(node.Directory, recursive: true);
        }
    }

    private void Write(string line)
    {
        try
        {
            _output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // A log line after the test ended has nowhere to go.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One gateway of a <see cref="TestCluster"/>.</summary>
public sealed record TestNode(ActorSystem System, BroGateway Gateway, string Directory)
{
    /// <summary>Its socket path.</summary>
    public string Path => Gateway.Settings.SocketPath;
}
