using Bro.Client;

namespace Bro.Bench;

/// <summary>
/// One target's processes: the server (the bro gateway, or the floor relay), the callee
/// <c>svc</c>, the chain <c>b</c> -> <c>c</c>, and the driver's own callers.
/// </summary>
/// <remarks>
/// Against the floor every connection is paired with exactly one peer in accept order, so each
/// pair is set up before the next connection opens: <c>svc</c> then the caller on one socket;
/// <c>c</c> then b's outgoing connection on the chain's second hop; b then the chain caller on
/// the first hop. A nested call thus crosses two relay hops, as it crosses the gateway twice.
/// </remarks>
internal sealed class Topology : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<ChildProcess> _callees = [];

    private Topology(string target, ChildProcess server)
    {
        Target = target;
        Server = server;
        _owned.Add(server);
    }

    /// <summary>gateway or floor.</summary>
    public string Target { get; }

    /// <summary>The gateway or relay process, whose memory and CPU are reported.</summary>
    public ChildProcess Server { get; }

    /// <summary>The callee processes (svc, b, c), whose CPU is reported as the callees'.</summary>
    public IReadOnlyList<ChildProcess> Callees => _callees;

    /// <summary>The driver's client for the single-hop scenarios.</summary>
    public BroClient Caller { get; private set; } = null!;

    /// <summary>The driver's client for the nested chain.</summary>
    public BroClient ChainCaller { get; private set; } = null!;

    /// <summary>The gateway's socket (the idle-connection measurement joins it).</summary>
    public string MainSocket { get; private set; } = "";

    public static async Task<Topology> StartGatewayAsync(string dir, string encoding, IEnumerable<string> environment)
    {
        var socket = Path.Combine(dir, $"gw-{encoding}.sock");
        var server = ChildProcess.Start(ChildProcess.Gateway, ["--socket", socket], "listening", environment);
        var topology = new Topology("gateway", server) { MainSocket = socket };
        await server.ReadyAsync();
        await Task.WhenAll(
            topology.StartCallee(["--socket", socket, "--name", "svc", "--serializer", encoding]),
            topology.StartCallee(["--socket", socket, "--name", "c", "--serializer", encoding]));
        await topology.StartCallee(["--socket", socket, "--name", "b", "--next", "c", "--serializer", encoding]);
        topology.Caller = await topology.ConnectCaller("bench-caller", socket, encoding);
        topology.ChainCaller = topology.Caller;
        return topology;
    }

    public static async Task<Topology> StartFloorAsync(string dir, string encoding)
    {
        var main = Path.Combine(dir, $"floor-{encoding}.sock");
        var chainIn = Path.Combine(dir, $"floor-{encoding}-hop1.sock");
        var chainOut = Path.Combine(dir, $"floor-{encoding}-hop2.sock");
        var server = ChildProcess.StartRole("relay", "--socket", main, "--socket", chainIn, "--socket", chainOut);
        var topology = new Topology("floor", server) { MainSocket = main };
        await server.ReadyAsync();
        await topology.StartCallee(["--socket", main, "--name", "svc", "--serializer", encoding]);
        topology.Caller = await topology.ConnectCaller("bench-caller", main, encoding);
        await topology.StartCallee(["--socket", chainOut, "--name", "c", "--serializer", encoding]);
        await topology.StartCallee(["--socket", chainIn, "--next-socket", chainOut, "--name", "b", "--next", "c", "--serializer", encoding]);
        topology.ChainCaller = await topology.ConnectCaller("bench-chain-caller", chainIn, encoding);
        return topology;
    }

    public async ValueTask DisposeAsync()
    {
        // Clients first, then callees, the server last, so nobody sees its peer vanish mid-call.
        for (var i = _owned.Count - 1; i >= 0; i--)
            await _owned[i].DisposeAsync();
    }

    private async Task StartCallee(string[] args)
    {
        var callee = ChildProcess.StartRole(["callee", .. args]);
        lock (_owned)
        {
            _owned.Add(callee);
            _callees.Add(callee);
        }

        await callee.ReadyAsync();
    }

    private async Task<BroClient> ConnectCaller(string name, string socket, string encoding)
    {
        var client = Clients.Create(name, socket, Clients.Serializer(encoding));
        _owned.Add(client);
        await client.ConnectAsync();
        return client;
    }
}
