using Bro.Configuration;
using Bro.Gateway;
using Bro.Protocol;
using Xunit;

namespace Bro.Client.Tests;

/// <summary>The README's example, run as written (only the socket path is a temp one).</summary>
public sealed class ReadmeExampleSpec
{
    public sealed record GetUser(string UserId);

    public sealed record User(string Id, string Name);

    [Fact]
    public async Task The_README_example_runs()
    {
        var directory = Directory.CreateTempSubdirectory("br-").FullName;
        var path = Path.Combine(directory, "bro.sock");
        try
        {
            var result = await RunExample(path).WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal("Ada Lovelace / USER_NOT_FOUND", result);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<string> RunExample(string path)
    {
        // --- README example ---
        await using var gateway = new BroGateway(GatewaySettings.Default with { SocketPath = path });
        await gateway.StartAsync();

        // user-service answers getUserById
        await using var users = new BroClient(new BroClientOptions { ServiceName = "user-service", GatewayPath = path });
        users.RegisterMethod<GetUser, User>("getUserById", (p, ctx) =>
            p.UserId == "123"
                ? Task.FromResult(new User(p.UserId, "Ada Lovelace"))
                : throw new BroException("USER_NOT_FOUND", $"User {p.UserId} not found"));
        await users.ConnectAsync();

        // order-service calls it
        await using var orders = new BroClient(new BroClientOptions { ServiceName = "order-service", GatewayPath = path });
        await orders.ConnectAsync();

        User? user = await orders.CallAsync<User>("user-service", "getUserById", new { userId = "123" });
        string code;
        try
        {
            await orders.CallAsync<User>("user-service", "getUserById", new { userId = "999" },
                new CallOptions { Timeout = TimeSpan.FromSeconds(5) });
            code = "none";
        }
        catch (BroException ex)
        {
            code = ex.Code; // "USER_NOT_FOUND"
        }

        await orders.DisconnectAsync();
        // --- end of README example ---
        return $"{user!.Name} / {code}";
    }
}
