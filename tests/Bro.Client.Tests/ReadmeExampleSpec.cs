using Bro.Client.Contracts;
using Bro.Configuration;
using Bro.Hosting;
using Bro.Protocol;
using Xunit;

namespace Bro.Client.Tests;

/// <summary>The README's example, run as written (only the socket path is a temp one).</summary>
public sealed class ReadmeExampleSpec
{
    public sealed record GetUser(string UserId);

    public sealed record User(string Id, string Name);

    [BroService("user-service")]
    public interface IUserService
    {
        // Remote method "getUserById": the C# name without Async, first letter lower-cased.
        Task<User> GetUserByIdAsync(GetUser request, CancellationToken ct = default);
    }

    public sealed class UserService : IUserService
    {
        public Task<User> GetUserByIdAsync(GetUser request, CancellationToken ct) =>
            request.UserId == "123"
                ? Task.FromResult(new User(request.UserId, "Ada Lovelace"))
                : throw new BroException("USER_NOT_FOUND", $"User {request.UserId} not found");
    }

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
        users.Serve<IUserService>(new UserService());
        await users.ConnectAsync();

        // order-service calls it
        await using var orders = new BroClient(new BroClientOptions { ServiceName = "order-service", GatewayPath = path });
        await orders.ConnectAsync();
        var userService = orders.GetService<IUserService>();

        User user = await userService.GetUserByIdAsync(new GetUser("123"));
        string code;
        try
        {
            using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(5));  // cancels the call
            await userService.GetUserByIdAsync(new GetUser("999"), cancellation.Token);
            code = "none";
        }
        catch (BroException ex)
        {
            code = ex.Code; // "USER_NOT_FOUND"
        }

        await orders.DisconnectAsync();
        // --- end of README example ---
        return $"{user.Name} / {code}";
    }
}
