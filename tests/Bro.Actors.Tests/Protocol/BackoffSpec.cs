using Bro.Protocol;
using Xunit;

namespace Bro.Actors.Tests.Protocol;

public sealed class BackoffSpec
{
    [Theory]
    [InlineData(0, 100)]
    [InlineData(1, 200)]
    [InlineData(3, 800)]
    [InlineData(8, 25_600)]
    [InlineData(9, 30_000)]
    [InlineData(1000, 30_000)]
    [InlineData(int.MaxValue, 30_000)]
    public void Delay_doubles_from_the_base_up_to_a_30_second_cap(int attempt, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Backoff.Delay(attempt, TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public void Delay_honours_a_given_cap()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), Backoff.Delay(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)));
        Assert.Equal(TimeSpan.FromDays(1), Backoff.Delay(100, TimeSpan.FromSeconds(5), TimeSpan.FromDays(1)));
    }

    [Fact]
    public void Delay_of_a_zero_base_stays_zero()
    {
        Assert.Equal(TimeSpan.Zero, Backoff.Delay(int.MaxValue, TimeSpan.Zero));
    }

    [Fact]
    public void Delay_rejects_a_negative_attempt()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.Delay(-1, TimeSpan.FromSeconds(1)));
    }
}
