using System.Text.RegularExpressions;
using Bro.Protocol;
using Xunit;
using Bro.Actors.Tests.Support;

namespace Bro.Actors.Tests.Protocol;

public sealed class IdsSpec
{
    private readonly ManualTimeProvider _time = new(1699005123456);

    [Fact]
    public void GenerateRequestId_is_req_then_epoch_ms_then_six_lowercase_alphanumerics()
    {
        Assert.Matches(new Regex("^req-1699005123456-[a-z0-9]{6}$"), Ids.GenerateRequestId(_time));
    }

    [Fact]
    public void GenerateRootId_is_root_then_epoch_ms_then_six_lowercase_alphanumerics()
    {
        Assert.Matches(new Regex("^root-1699005123456-[a-z0-9]{6}$"), Ids.GenerateRootId(_time));
    }

    [Fact]
    public void Ids_generated_in_the_same_millisecond_differ()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => Ids.GenerateRequestId(_time)).ToHashSet();

        Assert.Equal(1000, ids.Count);
    }

    [Fact]
    public void Ids_use_the_system_clock_by_default()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var millis = long.Parse(Ids.GenerateRequestId().Split('-')[1]);

        Assert.InRange(millis, before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }
}
