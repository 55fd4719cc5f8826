namespace Bro.Examples.CliSession;

/// <summary>The parameters of <c>getUserById</c>: <c>{"id": 1}</c>.</summary>
public sealed record GetUser(int Id);

/// <summary>A user.</summary>
public sealed record User(int Id, string Name);
