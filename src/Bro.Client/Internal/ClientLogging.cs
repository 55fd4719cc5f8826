using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Hosting.Logging;
using Bro.Client.Events;
using Microsoft.Extensions.Logging;

namespace Bro.Client.Internal;

/// <summary>Where a client's log lines go: an <see cref="ILoggerFactory"/>, or nowhere.</summary>
internal static class ClientLogging
{
    // Akka's default logger writes to stdout: a library must not, unless asked to.
    private const string Quiet = "akka.loglevel = OFF\nakka.stdout-loglevel = OFF";

    // The ILoggerFactory logger of Akka.Hosting, given the factory through its setup; warnings
    // up (a lost connection, a reconnect), as a host's default.
    private const string ToLoggerFactory =
        "akka.loglevel = WARNING\nakka.stdout-loglevel = OFF\nakka.loggers = [\"Akka.Hosting.Logging.LoggerFactoryLogger, Akka.Hosting\"]";

    /// <summary>The actor system of a client that brings none: quiet, or logging to <paramref name="loggerFactory"/>.</summary>
    public static ActorSystem CreateSystem(ILoggerFactory? loggerFactory)
    {
        if (loggerFactory is null)
            return ActorSystem.Create("bro-client", Quiet);
        var setup = BootstrapSetup.Create().WithConfig(ConfigurationFactory.ParseString(ToLoggerFactory))
            .And(new LoggerFactorySetup(loggerFactory));
        return ActorSystem.Create("bro-client", setup);
    }

    /// <summary>The logger of the client's own lines; <c>null</c> without a factory.</summary>
    public static ILogger? CreateLogger(ILoggerFactory? loggerFactory) => loggerFactory?.CreateLogger<BroClient>();

    /// <summary>The <see cref="LogLevel"/> of a <see cref="BroLogLevel"/>.</summary>
    public static LogLevel ToLogLevel(BroLogLevel level) => level switch
    {
        BroLogLevel.Debug => LogLevel.Debug,
        BroLogLevel.Info => LogLevel.Information,
        BroLogLevel.Warning => LogLevel.Warning,
        _ => LogLevel.Error,
    };
}
