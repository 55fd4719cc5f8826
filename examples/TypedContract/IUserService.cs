using Bro.Client.Contracts;

namespace Bro.Examples.TypedContract;

/// <summary>The parameters of <c>getUserById</c>.</summary>
public sealed record GetUser(int Id);

/// <summary>A user.</summary>
public sealed record User(int Id, string Name);

/// <summary>
/// The contract of user-service, shared by the service and its callers (in a real system, in an
/// assembly both reference). The source generator writes the proxy and the registration.
/// </summary>
[BroService("user-service")]
public interface IUserService
{
    /// <summary>Remote method <c>getUserById</c>: the C# name without Async, first letter lower-cased.</summary>
    Task<User> GetUserByIdAsync(GetUser request, CancellationToken cancellationToken = default);

    /// <summary>Remote method <c>countUsers</c>, without parameters.</summary>
    Task<int> CountUsersAsync();
}
