using System.Collections;
using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Bro.Configuration;
using Bro.Hosting;
using Bro.Gateway.Client;
using Bro.Gateway.Metrics;
using Bro.Transport;

namespace Bro.Gateway.Commands;

/// <summary>
/// <c>bro serve</c> (and <c>bro</c> alone): one gateway process, configured from the command
/// line, the environment, a HOCON file and the embedded defaults, shut down through
/// CoordinatedShutdown on SIGTERM or Ctrl+C.
/// </summary>
internal static class ServeCommand
{
    /// <summary>The <c>serve</c> subcommand; the root command runs the same action.</summary>
    public static Command Create(BroCommandLine cli, IDictionary environment)
    {
        var serve = new Command("serve", "Run a gateway (the default command)");
        cli.Serve.AddTo(serve);
        serve.SetAction((result, _) => RunAsync(result, cli, environment));
        return serve;
    }

    /// <summary>Runs the gateway until it is stopped; the process's exit code.</summary>
    public static async Task<int> RunAsync(ParseResult result, BroCommandLine cli, IDictionary environment)
    {
        // Socket completions run on the socket engine's own threads instead of being queued to the
        // thread pool: a routed frame is then read, routed and written on the thread that saw it
        // arrive, with no thread-pool wakeup (measured in docs/bench-log.md: pipelined CPU per call
        // -40%, sequential -35%). Safe here because nothing in this process blocks in a socket
        // continuation (the gateway's read loops never wait on anything but the socket). It must be
        // set before the first socket is created; an explicit setting in the environment wins.
        if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
            Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

        var json = result.GetValue(cli.Json);
        int? metricsPort;
        try
        {
            metricsPort = MetricsPort(result, cli.Serve, environment);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"bro: {e.Message}");
            return 2;
        }

        Config config;
        GatewaySettings settings;
        try
        {
            config = GatewayConfiguration.Load(GatewayCommandLine.From(result, cli.Serve, environment));
            // Stdout is for the JSON lines: only warnings and errors are logged among them.
            if (json)
                config = ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING").WithFallback(config);
            settings = GatewaySettings.Create(config);
            // A cluster member: remoting, the cluster provider and the serializer come first,
            // every other akka key (failure detector, TLS) from the configuration as usual.
            if (settings.Cluster is { } cluster)
                config = Bro.Federation.FederationConfig.For(cluster).WithFallback(config);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"bro: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is ConfigurationException or IOException or FormatException)
        {
            Console.Error.WriteLine($"bro: bad configuration: {e.Message}");
            return 2;
        }

        var system = ActorSystem.Create("bro", config);
        var gateway = new BroGateway(settings, system);
        // A `bro` command's own connection (bro ping from a probe every few seconds) is not news:
        // logged at debug level, and not written as a JSON event.
        static bool IsCli(string name) => name.StartsWith(GatewayConnection.NamePrefix, StringComparison.Ordinal);
        gateway.ServiceRegistered += (_, e) =>
        {
            if (IsCli(e.Name))
                system.Log.Debug("Registered {0}", e.Name);
            else if (json)
                JsonOutput.WriteLine(new { @event = "registered", service = e.Name, methods = e.Methods, e.PoolIndex, pid = e.Credentials?.Pid, uid = e.Credentials?.Uid });
            else
                system.Log.Info("Registered {0}{1} ({2} methods{3})", e.Name, e.PoolIndex is { } i ? $" pool connection {i}" : "",
                    e.Methods.Count, e.Credentials is { } peer ? $", {peer}" : "");
        };
        gateway.ServiceDisconnected += (_, e) =>
        {
            if (IsCli(e.Name))
                system.Log.Debug("Disconnected {0}: {1}", e.Name, e.Reason);
            else if (json)
                JsonOutput.WriteLine(new { @event = "disconnected", service = e.Name, e.Reason, e.RemainingConnections });
            else
                system.Log.Info("Disconnected {0}: {1}", e.Name, e.Reason);
        };
        // A gateway that stops on its own (its listener failed) ends the process with exit code 1, so a
        // supervisor (systemd, a container runtime) restarts it instead of keeping a deaf process alive.
        var exitCode = 0;
        gateway.Faulted += (_, e) =>
        {
            system.Log.Error("{0}", e.Reason);
            exitCode = 1;
            _ = CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.UnknownReason.Instance);
        };
        if (settings.Debug)
            gateway.CallRouted += (_, e) => system.Log.Debug("CALL {0} -> {1}.{2} [{3}] root {4} depth {5}", e.From, e.To, e.Method, e.RequestId, e.Root, e.Depth);

        try
        {
            await gateway.StartAsync();
        }
        catch (UnixSocketBindException e)
        {
            Console.Error.WriteLine($"bro: {e.Message}");
            await system.Terminate();
            return 1;
        }

        IAsyncDisposable? metrics = null;
        if (metricsPort is { } port)
        {
            try
            {
                metrics = MetricsEndpoint.Start(gateway, port);
            }
            catch (HttpListenerException e)
            {
                Console.Error.WriteLine($"bro: cannot serve metrics on localhost:{port}: {e.Message}");
                await gateway.StopAsync();
                await system.Terminate();
                return 1;
            }
        }

        // Ctrl+C and SIGTERM both end in CoordinatedShutdown, whose first phase stops the gateway
        // (unbinding removes the socket file) before the actor system terminates.
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "stop-bro-gateway", async () =>
        {
            await gateway.StopAsync();
            return Akka.Done.Instance;
        });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Shutdown);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Shutdown);

        if (json)
            JsonOutput.WriteLine(new { @event = "started", socket = settings.SocketPath, pid = Environment.ProcessId });
        system.Log.Info("Bro gateway listening on {0}", settings.SocketPath);
        await system.WhenTerminated;
        if (metrics is not null)
            await metrics.DisposeAsync();
        return exitCode;

        static int? MetricsPort(ParseResult result, ServeOptions options, IDictionary environment)
        {
            var port = result.GetValue(options.MetricsPort);
            if (port is null && environment["BRO_METRICS_PORT"] is string fromEnv && fromEnv.Length > 0)
                port = int.TryParse(fromEnv, out var parsed) ? parsed : throw new ArgumentException($"BRO_METRICS_PORT: '{fromEnv}' is not a port number.");
            return port is null or (> 0 and <= IPEndPoint.MaxPort) ? port : throw new ArgumentException($"--metrics-port: {port} is not a port number (1-65535).");
        }

        void Shutdown(PosixSignalContext context)
        {
            // Keep the runtime from exiting before the shutdown phases ran.
            context.Cancel = true;
            _ = CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
        }
    }
}
