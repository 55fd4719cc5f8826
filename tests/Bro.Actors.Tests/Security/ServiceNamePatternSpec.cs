using Bro.Security.Internal;
using Xunit;

namespace Bro.Actors.Tests.Security;

public sealed class ServiceNamePatternSpec
{
    [Theory]
    [InlineData("payments", "payments", true)]
    [InlineData("payments", "payments-eu", false)]
    [InlineData("payments", "Payments", false)]
    [InlineData("payments-*", "payments-eu", true)]
    [InlineData("payments-*", "payments-", true)]
    [InlineData("payments-*", "payments", false)]
    [InlineData("*", "", true)]
    [InlineData("*", "anything at all", true)]
    [InlineData("*-worker", "eu-worker", true)]
    [InlineData("*-worker", "eu-worker-2", false)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxbyyb", false)]
    [InlineData("svc-?", "svc-1", true)]
    [InlineData("svc-?", "svc-12", false)]
    [InlineData("**x", "yx", true)]
    public void ServiceNamePattern_matches_whole_names_with_star_and_question_mark(string pattern, string name, bool matches) =>
        Assert.Equal(matches, new ServiceNamePattern(pattern).Matches(name));
}
