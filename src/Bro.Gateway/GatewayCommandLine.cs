using System.Collections;
using System.Globalization;
using System.Text;

namespace Bro.Cli;

/// <summary>
/// The <c>bro</c> console's options, from the command line and the environment. Each option
/// becomes a HOCON line under <c>bro.gateway</c>, so the console resolves its settings exactly
/// as a hosted gateway does: command line, then environment, then <c>--config</c> file, then
/// the shipped <c>gateway.hocon</c>, then the embedded defaults.
/// </summary>
internal sealed record GatewayCommandLine(string? ConfigFile, string HoconOverrides, bool ShowHelp)
{
    /// <summary>The usage text printed by <c>--help</c> and after a bad option.</summary>
    public const string Usage = """
        Usage: bro [options]

          --socket <path>               Unix socket path (default /tmp/bro-gateway.sock)   env BRO_SOCKET
          --socket-mode <octal>         socket file permissions (default 0660)             env BRO_SOCKET_MODE
          --config <file>               HOCON file with a bro.gateway section              env BRO_CONFIG
          --heartbeat-interval <time>   expected heartbeat interval (default 30s)          env BRO_HEARTBEAT_INTERVAL
          --timeout <time>              request timeout (default 30s)                      env BRO_TIMEOUT
          --max-frame-size <size>       largest frame accepted (default 16MiB)             env BRO_MAX_FRAME_SIZE
          --debug                       log every routed call                              env BRO_DEBUG=true
          --help                        show this text

        <time> is a number of milliseconds or a HOCON duration (500ms, 30s, 2m).
        <size> is a number of bytes or a HOCON size (64KiB, 16MiB).
        """;

    // Option name -> (environment variable, HOCON key, kind of value).
    private static readonly (string Option, string Env, string Key, ValueKind Kind)[] Options =
    [
        ("--socket", "BRO_SOCKET", "socket-path", ValueKind.Text),
        ("--socket-mode", "BRO_SOCKET_MODE", "socket-mode", ValueKind.Text),
        ("--heartbeat-interval", "BRO_HEARTBEAT_INTERVAL", "heartbeat-interval", ValueKind.Duration),
        ("--timeout", "BRO_TIMEOUT", "request-timeout", ValueKind.Duration),
        ("--max-frame-size", "BRO_MAX_FRAME_SIZE", "max-frame-size", ValueKind.Size),
        ("--debug", "BRO_DEBUG", "debug", ValueKind.Flag),
    ];

    private enum ValueKind { Text, Duration, Size, Flag }

    /// <summary>Parses the arguments and the environment.</summary>
    /// <exception cref="ArgumentException">An unknown option, a missing or malformed value.</exception>
    public static GatewayCommandLine Parse(IReadOnlyList<string> args, IDictionary environment)
    {
        var values = new Dictionary<string, string>();
        string? configFile = environment["BRO_CONFIG"] as string;
        foreach (var option in Options)
        {
            if (environment[option.Env] is string fromEnv && fromEnv.Length > 0)
                values[option.Key] = Normalise(option.Env, fromEnv, option.Kind);
        }

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h")
                return new GatewayCommandLine(configFile, string.Empty, ShowHelp: true);

            // Both "--name value" and "--name=value" are accepted.
            var name = arg;
            string? inline = null;
            var eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                name = arg[..eq];
                inline = arg[(eq + 1)..];
            }

            if (name == "--config")
            {
                configFile = inline ?? NextValue(args, ref i, name);
                continue;
            }

            var match = Array.FindIndex(Options, o => o.Option == name);
            if (match < 0)
                throw new ArgumentException($"Unknown option '{arg}'.");
            var (_, _, key, kind) = Options[match];
            var raw = kind == ValueKind.Flag ? inline ?? "true" : inline ?? NextValue(args, ref i, name);
            values[key] = Normalise(name, raw, kind);
        }

        var hocon = new StringBuilder();
        foreach (var (key, value) in values)
            hocon.Append("bro.gateway.").Append(key).Append(" = ").Append(value).Append('\n');
        return new GatewayCommandLine(configFile, hocon.ToString(), ShowHelp: false);
    }

    private static string NextValue(IReadOnlyList<string> args, ref int i, string name)
    {
        if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            throw new ArgumentException($"Option '{name}' needs a value.");
        return args[++i];
    }

    // Turns a user's value into a HOCON literal, rejecting what HOCON would misread.
    private static string Normalise(string source, string raw, ValueKind kind)
    {
        raw = raw.Trim();
        switch (kind)
        {
            case ValueKind.Text:
                return Quote(raw);
            case ValueKind.Flag:
                return raw.ToLowerInvariant() switch
                {
                    "true" or "1" or "yes" or "on" => "true",
                    "false" or "0" or "no" or "off" => "false",
                    _ => throw new ArgumentException($"{source}: '{raw}' is not true or false."),
                };
            case ValueKind.Duration:
                if (long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
                    return ms > 0 ? $"{ms}ms" : throw new ArgumentException($"{source}: {raw} must be positive.");
                return IsUnitValue(raw, ["ms", "s", "m", "h", "millis", "seconds", "minutes"])
                    ? raw
                    : throw new ArgumentException($"{source}: '{raw}' is not a duration (e.g. 500ms, 30s).");
            case ValueKind.Size:
                if (long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
                    return bytes > 0 ? $"{bytes}b" : throw new ArgumentException($"{source}: {raw} must be positive.");
                return IsUnitValue(raw, ["b", "KiB", "MiB", "GiB", "kB", "MB", "GB", "K", "M", "G"])
                    ? raw
                    : throw new ArgumentException($"{source}: '{raw}' is not a size (e.g. 64KiB, 16MiB).");
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    private static bool IsUnitValue(string raw, string[] units)
    {
        foreach (var unit in units)
        {
            if (raw.Length > unit.Length
                && raw.EndsWith(unit, StringComparison.Ordinal)
                && long.TryParse(raw.AsSpan(0, raw.Length - unit.Length).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                && n > 0)
                return true;
        }
        return false;
    }

    private static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
