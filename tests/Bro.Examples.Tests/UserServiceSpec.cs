using Bro.Examples.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Examples.Tests;

/// <summary>examples/UserService, run alone: it starts a gateway of its own.</summary>
public sealed class UserServiceSpec(ITestOutputHelper log)
{
    [Fact]
    public async Task UserService_answers_getUserById_and_listUsers_and_a_missing_user_with_USER_NOT_FOUND()
    {
        var (exitCode, lines) = await ExampleProcess.RunAsync("UserService", log);

        Assert.Equal(0, exitCode);
        Assert.Contains(lines, l => l.StartsWith("Started an in-process gateway at ", StringComparison.Ordinal));
        Assert.Contains("user-service registered: getUserById, listUsers", lines);
        Assert.Contains("""getUserById {"id":1} -> User { Id = 1, Name = Ada Lovelace, Email = ada@example.com }""", lines);
        Assert.Contains("listUsers -> Ada Lovelace, Alan Turing", lines);
        Assert.Contains("""getUserById {"id":0} -> USER_NOT_FOUND: User 0 not found""", lines);
    }
}
