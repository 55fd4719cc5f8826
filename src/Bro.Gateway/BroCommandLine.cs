using System.Collections;
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using Bro.Gateway.Commands;

namespace Bro.Gateway;

/// <summary>
/// The <c>bro</c> command line: <c>serve</c> (the default), and the client subcommands that
/// ask a running gateway about itself through its built-in service. Every command takes
/// <c>--socket</c> and <c>--json</c>.
/// </summary>
internal sealed class BroCommandLine
{
    private BroCommandLine(IDictionary environment)
    {
        Socket = new Option<string?>("--socket")
        {
            Description = "Unix socket path (default /tmp/bro-gateway.sock)  [env BRO_SOCKET]",
            HelpName = "path",
            Recursive = true,
        };
        Json = new Option<bool>("--json")
        {
            Description = "Machine-readable output: JSON (one object a line for streams)",
            Recursive = true,
        };
        Serve = new ServeOptions(Socket);
        Environment = environment;

        // A plain command named "bro" rather than a RootCommand, which takes its name from the
        // executable: the assembly is Bro.Gateway.dll (named after its folder), the command is bro.
        Command = new Command("bro", "Bro: an IPC gateway for services on one machine. Without a command, runs a gateway (bro serve).")
        {
            new HelpOption(),
            new VersionOption(),
        };
        Command.Add(Socket);
        Command.Add(Json);
        Serve.AddTo(Command);
        Command.SetAction((result, _) => ServeCommand.RunAsync(result, this, environment));
        Command.Add(ServeCommand.Create(this, environment));
        Command.Add(ServicesCommand.Create(this));
        Command.Add(CallCommand.Create(this));
        Command.Add(MonitorCommand.Create(this));
        Command.Add(StatusCommand.Create(this));
        Command.Add(PingCommand.Create(this));
    }

    /// <summary>The root command.</summary>
    public Command Command { get; }

    /// <summary><c>--socket</c>, on every command.</summary>
    public Option<string?> Socket { get; }

    /// <summary><c>--json</c>, on every command.</summary>
    public Option<bool> Json { get; }

    /// <summary>The options of <c>serve</c>.</summary>
    public ServeOptions Serve { get; }

    /// <summary>The environment the options fall back on.</summary>
    public IDictionary Environment { get; }

    /// <summary>Builds the command line over <paramref name="environment"/>.</summary>
    public static BroCommandLine Create(IDictionary environment) => new(environment);

    /// <summary>
    /// The socket a client subcommand connects to: <c>--socket</c>, else <c>BRO_SOCKET</c>, else
    /// the default, as <c>bro serve</c> resolves it.
    /// </summary>
    public string SocketPath(ParseResult result) =>
        result.GetValue(Socket)
        ?? (Environment["BRO_SOCKET"] is string { Length: > 0 } fromEnv ? fromEnv : Configuration.GatewaySettings.Default.SocketPath);

    /// <summary>
    /// One line for a parse error, naming the option at fault. The two most common errors are
    /// worded as the console always worded them; System.CommandLine's own wording (English:
    /// the console runs with invariant globalization) is matched to find them.
    /// </summary>
    public static string Describe(ParseError error) => error.SymbolResult switch
    {
        OptionResult { Tokens.Count: 0 } option when option.Option.Arity.MinimumNumberOfValues > 0 =>
            $"Option '{option.Option.Name}' needs a value.",
        _ when error.Message.StartsWith("Unrecognized command or argument '-", StringComparison.Ordinal) =>
            $"Unknown option '{error.Message["Unrecognized command or argument '".Length..].TrimEnd('.', '\'')}'.",
        _ => error.Message,
    };
}
