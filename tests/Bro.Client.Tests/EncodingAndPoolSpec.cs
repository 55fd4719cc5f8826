using Bro.Client.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Client.Tests;

public sealed class EncodingAndPoolSpec(ITestOutputHelper output) : ClientSpec(output)
{
    public sealed record Item(string Name, int Quantity, double Price, string[] Tags);

    [Fact]
    public async Task A_JSON_client_and_a_MessagePack_client_call_each_other()
    {
        var json = await ConnectedClient("json-service", c => c.RegisterMethod<Item, Item>("double", (item, _) =>
            Task.FromResult(item with { Quantity = item.Quantity * 2 })));
        var msgpack = await ConnectedClient("msgpack-service", c => c.RegisterMethod<Item, Item>("double", (item, _) =>
            Task.FromResult(item with { Quantity = item.Quantity * 2 })), o => o with { Serializer = BroSerializer.MessagePack });
        var item = new Item("apple", 21, 0.5, ["fruit", "red"]);

        var fromJson = await msgpack.CallAsync<Item>("json-service", "double", item).WaitAsync(Patience);
        var fromMsgpack = await json.CallAsync<Item>("msgpack-service", "double", item).WaitAsync(Patience);

        Assert.Equal(42, fromJson!.Quantity);
        Assert.Equal(["fruit", "red"], fromJson.Tags);
        Assert.Equal(42, fromMsgpack!.Quantity);
        Assert.Equal(0.5, fromMsgpack.Price);
    }

    [Fact]
    public async Task A_pool_of_four_spreads_a_thousand_calls_over_its_four_connections()
    {
        var user = await ConnectedClient(
            "user-service",
            c => c.RegisterMethod<int, int>("square", (n, _) => Task.FromResult(n * n)),
            o => o with { PoolSize = 4 });
        var order = await ConnectedClient("order-service", configure: o => o with { PoolSize = 4 });
        Assert.Equal(4, user.GetStatus().OpenConnections);
        Assert.Equal(4, order.GetStatus().OpenConnections);

        var results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => order.CallAsync<int>("user-service", "square", i)))
            .WaitAsync(TimeSpan.FromSeconds(30));

        for (var i = 0; i < results.Length; i++)
            Assert.Equal(i * i, results[i]);
        var perConnection = user.OpenConnections.Select(c => c.CallsHandled).ToArray();
        Output?.WriteLine($"calls per poolIndex: {string.Join(", ", perConnection)}");
        Assert.Equal(4, perConnection.Length);
        Assert.Equal(1000, perConnection.Sum());
        Assert.All(perConnection, count => Assert.InRange(count, 200, 300));
    }
}
