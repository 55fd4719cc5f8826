using Bro.Client.Generators.Internal;
using Xunit;

namespace Bro.Client.Generators.Tests;

/// <summary>The default remote name: the C# name without Async, first letter lower-cased.</summary>
public sealed class WireNamesSpec
{
    [Theory]
    [InlineData("GetUserByIdAsync", "getUserById")]
    [InlineData("GetUserById", "getUserById")]
    [InlineData("getUserById", "getUserById")]
    [InlineData("GetURLAsync", "getURL")]
    [InlineData("Async", "async")]
    [InlineData("PingAsyncAsync", "pingAsync")]
    [InlineData("X", "x")]
    public void A_method_name_maps_to_its_remote_name(string method, string wire) =>
        Assert.Equal(wire, WireNames.FromMethodName(method));
}
