using Bro.Client;

namespace Bro.Bench;

/// <summary>BroClients as the bench uses them: long timeouts and a queue deep enough for every scenario.</summary>
internal static class Clients
{
    public static BroSerializer Serializer(string name) => name switch
    {
        "json" => BroSerializer.Json,
        "msgpack" => BroSerializer.MessagePack,
        _ => throw new ArgumentException($"unknown serializer {name}"),
    };

    public static BroClient Create(string name, string socket, BroSerializer serializer) => new(new BroClientOptions
    {
        ServiceName = name,
        GatewayPath = socket,
        Serializer = serializer,
        AutoReconnect = false,
        Timeout = TimeSpan.FromSeconds(120),
        OutboundQueueSize = 20_000,
    });
}
