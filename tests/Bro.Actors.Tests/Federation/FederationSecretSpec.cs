using Bro.Actors.Tests.Support;
using Bro.Testing;
using Bro.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Actors.Tests.Federation;

/// <summary>The cluster secret: gateways that share it route to each other; a stranger is downed and never routed to.</summary>
[Collection(nameof(FederationCollection))]
public sealed class FederationSecretSpec(ITestOutputHelper output)
{
    private const int A = 0, B = 1, Stranger = 2;

    private static CallMessage Call(string from, string to) =>
        Messages.BuildCall(from, to, "echo", RawValue.FromObject(new { n = 1 }, BroEncoding.Json),
            CallContexts.Extend(CallContexts.Create(from, TimeSpan.FromSeconds(30)), to));

    [Fact]
    public async Task Gateways_that_share_the_secret_route_to_each_other_and_one_with_a_wrong_secret_is_downed()
    {
        await using var cluster = await TestCluster.StartAsync(output, size: 3, started: 2,
            configure: (i, s) => s with { Secret = i == Stranger ? "guessed" : "s3cret" });
        await using var client = await RawPeer.RegisterAsync(cluster[A].Path, "client");
        await using (var users = await RawPeer.RegisterAsync(cluster[B].Path, "users"))
        {
            await cluster.RoutesAsync(from: A, "users", to: B);
            var call = Call("client", "users");
            await client.SendAsync(call, BroEncoding.Json);
            var received = await users.ReadAsync<CallMessage>();
            await users.SendAsync(Messages.BuildSuccessResponse(received), BroEncoding.Json);
            var response = await client.ReadAsync<ResponseMessage>();
            Assert.Equal((call.Id, ResponseStatus.Success), (response.Id, response.Status));
        }

        // The stranger joins (Akka lets it), sends a proof made with the wrong secret, is downed
        // by the first gateway that checks it, and shuts itself down.
        await cluster.StartNodeAsync(Stranger, waitUntilUp: false);
        await cluster.DownedAsync(Stranger);

        await Eventually.TrueAsync(async () =>
            (await cluster[A].Gateway.GetClusterViewAsync())!.Members.All(m => m.Address != cluster.AddressOf(Stranger)));
        var view = await cluster[A].Gateway.GetClusterViewAsync();
        Assert.Equal(new[] { cluster.AddressOf(A), cluster.AddressOf(B) }.Order(), view!.Members.Select(m => m.Address).Order());
        Assert.All(view.Members, m => Assert.True(m.Routed));
    }
}
