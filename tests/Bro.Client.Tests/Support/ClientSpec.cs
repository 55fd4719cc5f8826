using Akka.TestKit.Xunit2;
using Bro.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Client.Tests.Support;

/// <summary>
/// Base of the end-to-end specs: one real gateway per test, clients on the TestKit's actor
/// system, everything disposed at the end.
/// </summary>
public abstract class ClientSpec : TestKit, IAsyncLifetime
{
    /// <summary>Bound of every wait in these specs.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly List<BroClient> _clients = [];

    /// <summary>Creates the spec.</summary>
    protected ClientSpec(ITestOutputHelper output)
        : base("akka.loglevel = WARNING", output: output)
    {
    }

    /// <summary>The gateway of this test.</summary>
    protected GatewayFixture Gateway { get; private set; } = null!;

    /// <summary>Settings of the gateway, applied before it starts.</summary>
    protected virtual Configuration.GatewaySettings ConfigureGateway(Configuration.GatewaySettings settings) => settings;

    /// <inheritdoc />
    public async Task InitializeAsync() => Gateway = await GatewayFixture.StartAsync(ConfigureGateway);

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        foreach (var client in _clients)
            await client.DisposeAsync();
        await Gateway.DisposeAsync();
    }

    /// <summary>A client of the test gateway (not yet connected), disposed with the test.</summary>
    protected BroClient NewClient(string service, Func<BroClientOptions, BroClientOptions>? configure = null)
    {
        var options = new BroClientOptions { ServiceName = service, GatewayPath = Gateway.Path, ReconnectDelay = TimeSpan.FromMilliseconds(100) };
        var client = new BroClient(configure?.Invoke(options) ?? options, Sys);
        _clients.Add(client);
        return client;
    }

    /// <summary>A connected client of the test gateway.</summary>
    protected async Task<BroClient> ConnectedClient(
        string service, Action<BroClient>? register = null, Func<BroClientOptions, BroClientOptions>? configure = null)
    {
        var client = NewClient(service, configure);
        register?.Invoke(client);
        await client.ConnectAsync().WaitAsync(Patience);
        return client;
    }

    /// <summary>Awaits <paramref name="call"/> expecting a <see cref="BroException"/>.</summary>
    protected static async Task<BroException> Fails(Task call) =>
        await Assert.ThrowsAsync<BroException>(() => call.WaitAsync(Patience));
}
