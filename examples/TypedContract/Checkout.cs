using Bro.Protocol;
using Microsoft.Extensions.Hosting;

namespace Bro.Examples.TypedContract;

/// <summary>
/// order-service's work: it calls user-service through the injected proxy as if it were local,
/// then stops the application (a real service would keep serving).
/// </summary>
public sealed class Checkout(IUserService users, IHostApplicationLifetime lifetime) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var user = await users.GetUserByIdAsync(new GetUser(1), stoppingToken);
            Console.WriteLine($"GetUserByIdAsync(1) -> {user}");
            Console.WriteLine($"CountUsersAsync() -> {await users.CountUsersAsync()}");
            await users.GetUserByIdAsync(new GetUser(0), stoppingToken);
        }
        catch (BroException e)
        {
            // The service's exception, carried back by code: callers handle it as in-process code would.
            Console.WriteLine($"GetUserByIdAsync(0) -> {e.Code}: {e.Message}");
        }
        finally
        {
            lifetime.StopApplication();
        }
    }
}
