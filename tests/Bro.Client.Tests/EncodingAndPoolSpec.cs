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

    [Theory]
    [InlineData(BroSerializer.Json)]
    [InlineData(BroSerializer.MessagePack)]
    public async Task Payloads_of_10_KB_100_KB_and_1_MB_and_many_small_ones_behind_them_arrive_whole(BroSerializer serializer)
    {
        // Frames over the client's 64 KiB read buffer are read into arrays of their own, which
        // their messages keep; the small frames after one go back to the pooled buffer.
        var echo = await ConnectedClient("echo-service", c => c.RegisterMethod<string, string>("echo", (text, _) =>
            Task.FromResult(text)), o => o with { Serializer = serializer });
        var caller = await ConnectedClient("echo-caller", configure: o => o with { Serializer = serializer });

        // 10 KB: copied into the outbound batch, larger than a new batch's first size.
        foreach (var size in new[] { 10 * 1024, 100 * 1024, 1024 * 1024 })
        {
            var text = string.Create(size, size, static (chars, n) =>
            {
                for (var i = 0; i < chars.Length; i++)
                    chars[i] = (char)('a' + (i * 7 + n) % 26);
            });
            var calls = Enumerable.Range(0, 20).Select(i => caller.CallAsync<string>("echo-service", "echo", i % 5 == 0 ? text : $"small {i}"));

            var results = await Task.WhenAll(calls).WaitAsync(Patience);

            for (var i = 0; i < results.Length; i++)
                Assert.Equal(i % 5 == 0 ? text : $"small {i}", results[i]);
        }
    }
}
