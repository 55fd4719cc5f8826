using Akka.Hosting;
using Bro.Client.Hosting;
using Bro.Client.Tests.Support;
using Bro.Configuration;
using Bro.Hosting;
using Bro.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Client.Tests;

/// <summary>
/// Where log lines go. In the console collection: one test swaps <see cref="Console.Out"/>,
/// which no other test may write to meanwhile.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class LoggingSpec(ITestOutputHelper output) : ClientSpec(output)
{
    [Fact]
    public async Task A_bare_client_writes_nothing_to_stdout_when_its_connection_is_lost()
    {
        // A scripted gateway: a real one's own actor system would print its shutdown here.
        await using var gateway = FakeIpcBroGateway.Start();
        using var cts = new CancellationTokenSource(Patience);
        var console = Console.Out;
        var captured = new StringWriter();
        Console.SetOut(captured);
        try
        {
            var client = new BroClient(new BroClientOptions { ServiceName = "bare", GatewayPath = gateway.Path });
            var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            client.Disconnected += (_, _) => lost.TrySetResult();
            var connecting = client.ConnectAsync(cts.Token);
            using (var peer = await gateway.AcceptAsync(cts.Token))
            {
                await peer.ReadAsync(cts.Token);
                await peer.WriteAsync("""{"type":"REGISTER_ACK"}""", cts.Token);
                await connecting;
            }

            await lost.Task.WaitAsync(Patience);

            // Terminating the client's actor system stops its loggers after they printed what they had.
            await client.DisposeAsync();
        }
        finally
        {
            Console.SetOut(console);
        }

        Assert.True(captured.ToString().Length == 0, captured.ToString());
    }

    [Fact]
    public async Task A_bare_client_given_a_logger_factory_logs_its_lost_connection_there()
    {
        var lines = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(lines));
        var client = new BroClient(new BroClientOptions { ServiceName = "logged", GatewayPath = Gateway.Path, LoggerFactory = loggerFactory });
        await using (client)
        {
            await client.ConnectAsync().WaitAsync(Patience);

            await Gateway.StopAsync();

            var lost = await lines.WaitFor(l => l.Message.Contains("Connection 0 of logged lost", StringComparison.Ordinal)).WaitAsync(Patience);
            Assert.Equal(LogLevel.Warning, lost.Level);
            var reconnecting = await lines.WaitFor(l => l.Message.Contains("reconnecting in", StringComparison.Ordinal)).WaitAsync(Patience);
            Assert.Equal(typeof(BroClient).FullName, reconnecting.Category);
        }
    }

    [Fact]
    public async Task In_a_host_Akka_and_Bro_log_lines_reach_the_hosts_ILogger_providers()
    {
        var lines = new CapturingLoggerProvider();
        BroClient? hostedClient = null;
        using var lifetime = new TestApplicationLifetime();
        var socket = Path.Combine(Path.GetDirectoryName(Gateway.Path)!, "hosted.sock");
        var services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(lines))
            .AddSingleton<IHostApplicationLifetime>(lifetime);
        services.AddAkka("logged-host", builder => builder
            .ConfigureLoggers(setup =>
            {
                setup.LogLevel = Akka.Event.LogLevel.DebugLevel;
                setup.ClearLoggers();
                setup.AddLoggerFactory();
            })
            .AddBroClient(
                new BroClientOptions { ServiceName = "hosted", GatewayPath = socket },
                client =>
                {
                    hostedClient = client;
                    client.RegisterMethod<object, int>("flaky", (_, _) => throw new BroException("FLAKY", "try again"));
                }));
        services.AddBroGateway(GatewaySettings.Default with { SocketPath = socket });
        await using var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToArray();

        // The gateway's hosted service was added last: started first, stopped last.
        foreach (var service in hosted.Reverse())
            await service.StartAsync(CancellationToken.None).WaitAsync(Patience);
        try
        {
            var caller = await ConnectedClient("caller", configure: o => o with { GatewayPath = socket });
            await Fails(caller.CallAsync<int>("nobody", "here"));

            // Akka's logging bus: the client's connection actor and the gateway's router.
            var registered = await lines.WaitFor(l => l.Message.Contains("Connection 0 of hosted registered", StringComparison.Ordinal)).WaitAsync(Patience);
            Assert.Equal(LogLevel.Information, registered.Level);
            var refused = await lines.WaitFor(l => l.Message.Contains(ErrorCodes.ServiceNotFound, StringComparison.Ordinal)).WaitAsync(Patience);
            Assert.Equal(LogLevel.Debug, refused.Level);

            // The hosted client's own lines (a retry here), straight to the host's factory.
            Assert.NotNull(hostedClient);
            await Fails(hostedClient.CallWithRetryAsync<int>("hosted", "flaky", maxRetries: 1, retryDelay: TimeSpan.FromMilliseconds(1)));
            var retry = await lines.WaitFor(l => l.Message.Contains("failed with FLAKY", StringComparison.Ordinal)).WaitAsync(Patience);
            Assert.Equal(typeof(BroClient).FullName, retry.Category);
            Assert.Equal(LogLevel.Warning, retry.Level);
        }
        finally
        {
            foreach (var service in hosted)
                await service.StopAsync(CancellationToken.None).WaitAsync(Patience);
        }
    }
}
