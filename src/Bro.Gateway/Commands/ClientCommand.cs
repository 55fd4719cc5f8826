using System.CommandLine;
using System.Runtime.InteropServices;
using Bro.BuiltIn;
using Bro.Gateway.Client;
using Bro.Protocol;

namespace Bro.Gateway.Commands;

/// <summary>
/// What every client subcommand shares: connect (bounded by the command's timeout), run,
/// and turn every failure into one line on stderr and exit code 1: no stack trace, no log noise.
/// Ctrl+C and SIGTERM cancel the command.
/// </summary>
internal static class ClientCommand
{
    /// <summary>Exit code of a command stopped by Ctrl+C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    /// <summary>
    /// Connects to the gateway <paramref name="result"/> names, within <paramref name="connectTimeout"/>,
    /// and runs <paramref name="body"/> on the connection.
    /// </summary>
    public static async Task<int> RunAsync(ParseResult result, BroCommandLine cli, TimeSpan connectTimeout,
        Func<GatewayConnection, CancellationToken, Task<int>> body)
    {
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        try
        {
            GatewayConnection connection;
            using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(stop.Token))
            {
                connecting.CancelAfter(connectTimeout);
                connection = await GatewayConnection.OpenAsync(cli.SocketPath(result), connecting.Token);
            }

            await using (connection)
                return await body(connection, stop.Token);
        }
        catch (CommandFailedException e) when (!stop.IsCancellationRequested)
        {
            Console.Error.WriteLine($"bro: {e.Message}");
            return 1;
        }
        catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or CommandFailedException)
        {
            return Interrupted;
        }

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    /// <summary>
    /// Calls a method of the built-in service and reads its result as <typeparamref name="T"/>.
    /// </summary>
    /// <exception cref="CommandFailedException">No answer in time, the connection lost, or an error answer.</exception>
    public static async Task<T> CallBroAsync<T>(GatewayConnection connection, string method, object? parameters, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var raw = parameters is null ? null : RawValue.FromObject(parameters, BroEncoding.Json);
        var response = await connection.CallAsync(BroService.Name, method, raw, timeout, cancellationToken);
        if (response.Status == ResponseStatus.Error)
            throw new CommandFailedException(
                $"{BroService.Name}.{method} failed: {response.Error?.Code ?? "ERROR"}: {response.Error?.Message}");
        try
        {
            return response.Data is { } data && data.Deserialize<T>() is { } value
                ? value
                : throw new CommandFailedException($"{BroService.Name}.{method} answered no result");
        }
        catch (BroException e)
        {
            throw new CommandFailedException($"{BroService.Name}.{method} answered what this console cannot read: {e.Message}");
        }
    }

    /// <summary>Parses a <c>--timeout</c> value: milliseconds, or a number with ms, s or m.</summary>
    /// <exception cref="ArgumentException">Not a positive duration.</exception>
    public static TimeSpan ParseTimeout(string text)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1.0)
            : text.EndsWith('s') ? (text[..^1], 1000.0)
            : text.EndsWith('m') ? (text[..^1], 60_000.0)
            : (text, 1.0);
        return double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0
            ? TimeSpan.FromMilliseconds(n * unit)
            : throw new ArgumentException($"--timeout: '{text}' is not a duration (e.g. 500ms, 5s).");
    }

    /// <summary>A <c>--timeout</c> option with its default.</summary>
    public static Option<string> TimeoutOption(string defaultValue, string description) => new("--timeout")
    {
        Description = $"{description} (default {defaultValue})",
        HelpName = "time",
        DefaultValueFactory = _ => defaultValue,
        Validators =
        {
            r =>
            {
                if (r.Tokens.Count > 0)
                {
                    try
                    {
                        ParseTimeout(r.Tokens[0].Value);
                    }
                    catch (ArgumentException e)
                    {
                        r.AddError(e.Message);
                    }
                }
            },
        },
    };
}
