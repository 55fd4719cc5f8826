using Akka.Actor;
using Bro.Configuration;
using Bro.Hosting;

namespace Bro.Testing;

/// <summary>
/// A real gateway on a real socket in a fresh temporary directory, for integration tests.
/// The directory name is short: socket paths are limited to 107 bytes.
/// </summary>
public sealed class TestGateway : IAsyncDisposable
{
    private readonly string _directory;

    private TestGateway(string directory, BroGateway gateway)
    {
        _directory = directory;
        Gateway = gateway;
    }

    /// <summary>The gateway under test.</summary>
    public BroGateway Gateway { get; }

    /// <summary>Its socket path.</summary>
    public string Path => Gateway.Settings.SocketPath;

    /// <summary>Starts a gateway; <paramref name="configure"/> adjusts the default settings.</summary>
    public static async Task<TestGateway> StartAsync(
        Func<GatewaySettings, GatewaySettings>? configure = null, ITimeProvider? time = null, Xunit.Abstractions.ITestOutputHelper? output = null)
    {
        var directory = Directory.CreateTempSubdirectory("bro-").FullName;
        var settings = GatewaySettings.Default with { SocketPath = System.IO.Path.Combine(directory, "gw.sock") };
        settings = configure?.Invoke(settings) ?? settings;
        var gateway = new BroGateway(settings, timeProvider: time);
        if (output is not null)
            gateway.Log += (_, e) => output.WriteLine(e.ToString());
        await gateway.StartAsync();
        return new TestGateway(directory, gateway);
    }

    /// <summary>
    /// Completes when the last connection of <paramref name="service"/> is gone from the
    /// registry. Call it before causing the disconnection.
    /// </summary>
    public Task DisconnectionOf(string service)
    {
        var gone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Gateway.ServiceDisconnected += (_, e) =>
        {
            if (e.Name == service && e.RemainingConnections == 0) gone.TrySetResult();
        };
        return gone.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
