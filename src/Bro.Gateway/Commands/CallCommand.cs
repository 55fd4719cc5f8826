using System.CommandLine;
using System.Text;
using System.Text.Json;
using Bro.Protocol;

namespace Bro.Gateway.Commands;

/// <summary>
/// <c>bro call SERVICE METHOD [PARAMS]</c>: prints the result as JSON; an error RESPONSE prints
/// its code and message on stderr and exits 1.
/// </summary>
internal static class CallCommand
{
    public static Command Create(BroCommandLine cli)
    {
        var service = new Argument<string>("service") { Description = "The service to call" };
        var method = new Argument<string>("method") { Description = "The method to call" };
        var parameters = new Argument<string?>("params") { Description = "The params, as JSON (default: none)", Arity = ArgumentArity.ZeroOrOne };
        var timeout = ClientCommand.TimeoutOption("30s", "How long to wait for the answer");
        var call = new Command("call", "Call a method of a service and print its result") { service, method, parameters, timeout };
        call.SetAction((result, _) =>
        {
            var limit = ClientCommand.ParseTimeout(result.GetValue(timeout)!);
            RawValue? raw = null;
            if (result.GetValue(parameters) is { } text)
            {
                try
                {
                    using var parsed = JsonDocument.Parse(text);
                    raw = new RawValue(BroEncoding.Json, Encoding.UTF8.GetBytes(text));
                }
                catch (JsonException e)
                {
                    Console.Error.WriteLine($"bro: params is not JSON: {e.Message}");
                    return Task.FromResult(2);
                }
            }

            var json = result.GetValue(cli.Json);
            return ClientCommand.RunAsync(result, cli, limit, async (connection, cancellationToken) =>
            {
                var response = await connection.CallAsync(result.GetValue(service)!, result.GetValue(method)!, raw, limit, cancellationToken);
                if (response.Status == ResponseStatus.Error)
                {
                    var code = response.Error?.Code ?? "ERROR";
                    Console.Error.WriteLine(json
                        ? JsonSerializer.Serialize(new { code, message = response.Error?.Message }, JsonOutput.Options)
                        : $"{code}: {response.Error?.Message}");
                    return 1;
                }

                var data = response.Data?.ToJsonString() ?? "null";
                Console.WriteLine(json ? data : Indent(data));
                return 0;
            });
        });
        return call;
    }

    private static string Indent(string json)
    {
        using var document = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(document.RootElement, new JsonSerializerOptions { WriteIndented = true });
    }
}
