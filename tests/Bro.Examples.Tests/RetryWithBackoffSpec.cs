using Bro.Examples.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Bro.Examples.Tests;

/// <summary>examples/RetryWithBackoff, run alone.</summary>
public sealed class RetryWithBackoffSpec(ITestOutputHelper log)
{
    [Fact]
    public async Task RetryWithBackoff_retries_a_flaky_method_twice_and_waits_for_a_late_service()
    {
        var (exitCode, lines) = await ExampleProcess.RunAsync("RetryWithBackoff", log);

        Assert.Equal(0, exitCode);
        var trimmed = lines.Select(l => l.Trim()).ToList();
        Assert.Equal(
        [
            "exchange-rates: getRate attempt 1",
            "pricing: exchange-rates.getRate failed with UPSTREAM_UNAVAILABLE (the rates feed is down), retry 1 of 3",
            "exchange-rates: getRate attempt 2",
            "pricing: exchange-rates.getRate failed with UPSTREAM_UNAVAILABLE (the rates feed is down), retry 2 of 3",
            "exchange-rates: getRate attempt 3",
            "getRate -> 1 EUR = 1.08 USD after 3 attempts",
        ], trimmed.Skip(1).Take(6));

        // The late service registers a second after the first call, which the gateway holds 250 ms.
        Assert.Equal("SERVICE_NOT_FOUND; retry 1 in 100 ms", trimmed[7]);
        Assert.Equal("getStock -> 12 of book-42 in stock", trimmed[^1]);
    }
}
