using Bro.Protocol;
using Microsoft.Extensions.Logging;

namespace Bro.Examples.TypedContract;

/// <summary>
/// user-service's implementation. Registered with <c>Serve&lt;IUserService, UserService&gt;()</c>, it is
/// made in a new DI scope for every call, so it may take scoped services (a DbContext, say).
/// </summary>
public sealed class UserService(ILogger<UserService> logger) : IUserService
{
    private static readonly User[] Users = [new(1, "Ada Lovelace"), new(2, "Alan Turing")];

    /// <inheritdoc />
    public Task<User> GetUserByIdAsync(GetUser request, CancellationToken cancellationToken)
    {
        logger.LogDebug("getUserById {Id}", request.Id);
        return Users.FirstOrDefault(u => u.Id == request.Id) is { } user
            ? Task.FromResult(user)
            : throw new BroException("USER_NOT_FOUND", $"User {request.Id} not found");
    }

    /// <inheritdoc />
    public Task<int> CountUsersAsync() => Task.FromResult(Users.Length);
}
