using Bro.Configuration;
using Bro.Hosting;

namespace Bro.Client.Tests.Support;

/// <summary>A real <see cref="BroGateway"/> on a Unix socket in a short temp directory.</summary>
public sealed class GatewayFixture : IAsyncDisposable
{
    private readonly string _directory;

    private GatewayFixture(string directory, GatewaySettings settings)
    {
        _directory = directory;
        Settings = settings;
        Gateway = new BroGateway(settings);
    }

    /// <summary>The running gateway (replaced by <see cref="RestartAsync"/>).</summary>
    public BroGateway Gateway { get; private set; }

    /// <summary>The gateway's settings.</summary>
    public GatewaySettings Settings { get; }

    /// <summary>The socket path.</summary>
    public string Path => Settings.SocketPath;

    /// <summary>Starts a gateway in a fresh temp directory.</summary>
    public static async Task<GatewayFixture> StartAsync(Func<GatewaySettings, GatewaySettings>? configure = null)
    {
        var directory = Directory.CreateTempSubdirectory("bc-").FullName;
        var settings = GatewaySettings.Default with { SocketPath = System.IO.Path.Combine(directory, "gw.sock") };
        settings = configure?.Invoke(settings) ?? settings;
        var fixture = new GatewayFixture(directory, settings);
        await fixture.Gateway.StartAsync();
        return fixture;
    }

    /// <summary>A socket path in this fixture's directory that nobody listens on.</summary>
    public string UnusedPath => System.IO.Path.Combine(_directory, "none.sock");

    /// <summary>Stops the gateway (its connections close).</summary>
    public Task StopAsync() => Gateway.StopAsync();

    /// <summary>Starts a new gateway on the same path.</summary>
    public async Task RestartAsync()
    {
        await Gateway.DisposeAsync();
        Gateway = new BroGateway(Settings);
        await Gateway.StartAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
