using Bro.Protocol;

namespace Bro.Examples.UserService;

/// <summary>The parameters of <c>getUserById</c>: <c>{"id": 1}</c>.</summary>
public sealed record GetUserById(int Id);

/// <summary>A user, as <c>getUserById</c> answers it: <c>{"id": 1, "name": "...", "email": "..."}</c>.</summary>
public sealed record User(int Id, string Name, string Email);

/// <summary>The users this service knows; a database in a real service.</summary>
public static class Users
{
    private static readonly User[] All =
    [
        new(1, "Ada Lovelace", "ada@example.com"),
        new(2, "Alan Turing", "alan@example.com"),
    ];

    /// <summary>The user with <paramref name="id"/>; a missing one is a <see cref="BroException"/>, which reaches the caller with its code.</summary>
    public static User Find(int id) =>
        All.FirstOrDefault(u => u.Id == id) ?? throw new BroException("USER_NOT_FOUND", $"User {id} not found");

    /// <summary>Every user.</summary>
    public static IReadOnlyList<User> List() => All;
}
