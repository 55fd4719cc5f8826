using System.Text.Json;
using Bro.Client;

namespace Bro.Bench;

/// <summary>
/// A service in its own process: <c>echo</c> returns its parameter, <c>noop</c> nothing,
/// <c>work</c> waits 10 ms, <c>nested</c> calls <c>noop</c> of the next service (the chain's
/// third level). Prints <c>ready</c> once registered and runs until stdin closes.
/// </summary>
internal static class CalleeRole
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var serializer = Clients.Serializer(options.Serializer);
        await using var client = Clients.Create(options.Name, options.Sockets[0], serializer);
        // Against the floor a connection is paired with one peer, so the chain's outgoing calls
        // need a connection of their own to the second relay hop; against the gateway one suffices.
        await using var outgoing = options.NextSocket is { } nextSocket && nextSocket != options.Sockets[0]
            ? Clients.Create(options.Name + "-out", nextSocket, serializer)
            : null;
        var caller = outgoing ?? client;

        client.RegisterMethod<string, string>("echo", (payload, _) => Task.FromResult(payload));
        client.RegisterMethod("noop", (_, _) => Task.FromResult<object?>(null));
        client.RegisterMethod("work", async (_, _) =>
        {
            await Task.Delay(10);
            return null;
        });
        if (options.Next is { } next)
        {
            client.RegisterMethod("nested", async (_, _) =>
            {
                await caller.CallAsync<JsonElement>(next, "noop");
                return null;
            });
        }

        if (outgoing is not null)
            await outgoing.ConnectAsync();
        await client.ConnectAsync();
        Console.WriteLine("ready");
        await Console.In.ReadToEndAsync();
        return 0;
    }
}
