using Bro.Protocol;

namespace Bro.Bench;

/// <summary>
/// <c>chaos-callee</c>: a <see cref="ChaosService"/> in a process of its own, so the chaos run
/// can kill it with SIGKILL mid-call. Prints <c>ready</c> once every pool connection is
/// registered and runs until stdin closes (or the kill).
/// </summary>
internal static class ChaosCalleeRole
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var encoding = options.Serializer == "msgpack" ? BroEncoding.MessagePack : BroEncoding.Json;
        using var service = new ChaosService(options.Sockets[0], encoding, options.Name, options.Pool, ledger: null);
        await service.StartAsync(CancellationToken.None);
        Console.WriteLine($"ready ({service.RegisterRefusals} refused REGISTERs retried)");
        await Console.In.ReadToEndAsync();
        return 0;
    }
}
