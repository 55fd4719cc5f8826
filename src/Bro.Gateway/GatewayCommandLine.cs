using System.Collections;
using System.CommandLine;
using System.Globalization;
using System.Text;
using Bro.Gateway.Commands;

namespace Bro.Gateway;

/// <summary>
/// What <c>bro serve</c> was given, from the command line and the environment. Each option
/// becomes a HOCON line under <c>bro.gateway</c>, so the console resolves its settings exactly
/// as a hosted gateway does: command line, then environment, then <c>--config</c> file, then
/// the shipped <c>gateway.hocon</c>, then the embedded defaults.
/// </summary>
internal sealed record GatewayCommandLine(string? ConfigFile, string HoconOverrides, bool ShowHelp)
{
    /// <summary>
    /// Parses the arguments of <c>bro</c> or <c>bro serve</c> over the environment, as the
    /// console does before it runs a gateway.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown option, a missing or malformed value.</exception>
    public static GatewayCommandLine Parse(IReadOnlyList<string> args, IDictionary environment)
    {
        var root = BroCommandLine.Create(environment);
        var result = root.Command.Parse(args);
        if (result.Errors.Count > 0)
            throw new ArgumentException(BroCommandLine.Describe(result.Errors[0]));
        if (result.Action is System.CommandLine.Help.HelpAction)
            return new GatewayCommandLine(null, string.Empty, ShowHelp: true);
        return From(result, root.Serve, environment);
    }

    /// <summary>The serve options of a parse result, over the environment's.</summary>
    /// <exception cref="ArgumentException">A malformed value.</exception>
    public static GatewayCommandLine From(ParseResult result, ServeOptions options, IDictionary environment)
    {
        var values = new Dictionary<string, string>();
        var configFile = result.GetValue(options.Config) ?? environment["BRO_CONFIG"] as string;
        foreach (var (option, env, key, kind) in options.Settings)
        {
            if (environment[env] is string fromEnv && fromEnv.Length > 0)
                values[key] = Normalise(env, fromEnv, kind);
            var given = result.GetResult(option);
            if (given is null || given.Implicit)
                continue;
            // A flag given without a value (--debug) is on.
            var raw = given.Tokens.Count > 0 ? given.Tokens[0].Value : "true";
            values[key] = Normalise(option.Name, raw, kind);
        }

        // Seed nodes are a list: every --seed-node, else BRO_SEED_NODES split at commas.
        var seeds = result.GetValue(options.SeedNodes) is { Length: > 0 } listed ? listed
            : environment["BRO_SEED_NODES"] is string fromEnvironment && fromEnvironment.Length > 0
                ? fromEnvironment.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [];
        if (seeds.Length > 0)
            values["cluster.seed-nodes"] = "[" + string.Join(", ", seeds.Select(Quote)) + "]";

        var hocon = new StringBuilder();
        foreach (var (key, value) in values)
            hocon.Append("bro.gateway.").Append(key).Append(" = ").Append(value).Append('\n');
        return new GatewayCommandLine(configFile, hocon.ToString(), ShowHelp: false);
    }

    // Turns a user's value into a HOCON literal, rejecting what HOCON would misread.
    private static string Normalise(string source, string raw, ServeOptions.ValueKind kind)
    {
        raw = raw.Trim();
        switch (kind)
        {
            case ServeOptions.ValueKind.Text:
                return Quote(raw);
            case ServeOptions.ValueKind.Flag:
                return raw.ToLowerInvariant() switch
                {
                    "true" or "1" or "yes" or "on" => "true",
                    "false" or "0" or "no" or "off" => "false",
                    _ => throw new ArgumentException($"{source}: '{raw}' is not true or false."),
                };
            case ServeOptions.ValueKind.Port:
                return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
                    ? port.ToString(CultureInfo.InvariantCulture)
                    : throw new ArgumentException($"{source}: '{raw}' is not a port number (0-65535).");
            case ServeOptions.ValueKind.Duration:
                if (long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
                    return ms > 0 ? $"{ms}ms" : throw new ArgumentException($"{source}: {raw} must be positive.");
                return IsUnitValue(raw, ["ms", "s", "m", "h", "millis", "seconds", "minutes"])
                    ? raw
                    : throw new ArgumentException($"{source}: '{raw}' is not a duration (e.g. 500ms, 30s).");
            case ServeOptions.ValueKind.Size:
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
