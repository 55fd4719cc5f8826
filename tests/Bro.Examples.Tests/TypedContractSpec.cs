using Bro.Examples.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Examples.Tests;

/// <summary>examples/TypedContract: a [BroService] contract served and called through DI in a generic host.</summary>
public sealed class TypedContractSpec(ITestOutputHelper log)
{
    [Fact]
    public async Task TypedContract_proxy_calls_the_served_implementation_and_gets_its_error_code()
    {
        var (exitCode, lines) = await ExampleProcess.RunAsync("TypedContract", log);

        Assert.Equal(0, exitCode);
        Assert.Equal(
        [
            "GetUserByIdAsync(1) -> User { Id = 1, Name = Ada Lovelace }",
            "CountUsersAsync() -> 2",
            "GetUserByIdAsync(0) -> USER_NOT_FOUND: User 0 not found",
        ], lines);
    }
}
