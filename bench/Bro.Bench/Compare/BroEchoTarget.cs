using Bro.Client;

namespace Bro.Bench.Compare;

/// <summary>
/// Bro as the comparison runs it: a <see cref="BroClient"/> caller in the driver process, the
/// real <c>bro</c> console as its own process, and a BroClient callee service <c>svc</c> in
/// another (the bench's <c>callee</c> role), all in one encoding. The payload is an ASCII string
/// of N characters, N bytes in a JSON or MessagePack string.
/// </summary>
internal sealed class BroEchoTarget : IEchoTarget
{
    private readonly ChildProcess _gateway;
    private readonly ChildProcess _callee;
    private readonly BroClient _caller;

    private BroEchoTarget(string encoding, ChildProcess gateway, ChildProcess callee, BroClient caller)
    {
        Name = $"bro-{encoding}";
        _gateway = gateway;
        _callee = callee;
        _caller = caller;
    }

    public string Name { get; }

    public int ClientPid => Environment.ProcessId;

    public int? GatewayPid => _gateway.Id;

    public int ServerPid => _callee.Id;

    public static async Task<BroEchoTarget> StartAsync(string dir, string encoding, IEnumerable<string> gatewayEnvironment)
    {
        var socket = Path.Combine(dir, $"cmp-gw-{encoding}.sock");
        var gateway = ChildProcess.Start(ChildProcess.Gateway, ["--socket", socket], "listening", gatewayEnvironment);
        ChildProcess? callee = null;
        BroClient? caller = null;
        try
        {
            await gateway.ReadyAsync();
            callee = ChildProcess.StartRole("callee", "--socket", socket, "--name", "svc", "--serializer", encoding);
            await callee.ReadyAsync();
            caller = Clients.Create("bench-caller", socket, Clients.Serializer(encoding));
            await caller.ConnectAsync();
            return new BroEchoTarget(encoding, gateway, callee, caller);
        }
        catch
        {
            if (caller is not null) await caller.DisposeAsync();
            if (callee is not null) await callee.DisposeAsync();
            await gateway.DisposeAsync();
            throw;
        }
    }

    public Func<Task> Echo(int payloadBytes)
    {
        var payload = new string('x', payloadBytes);
        return async () =>
        {
            var echoed = await _caller.CallAsync<string>("svc", "echo", payload);
            if (echoed?.Length != payloadBytes)
                throw new InvalidOperationException($"echo returned {echoed?.Length} chars, sent {payloadBytes}");
        };
    }

    public async ValueTask DisposeAsync()
    {
        // Caller, callee, gateway: nobody sees its peer vanish mid-call.
        await _caller.DisposeAsync();
        await _callee.DisposeAsync();
        await _gateway.DisposeAsync();
    }
}
