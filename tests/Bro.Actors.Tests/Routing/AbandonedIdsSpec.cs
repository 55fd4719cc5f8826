using Akka.Configuration;
using Bro.Configuration;
using Bro.Routing;
using Xunit;

namespace Bro.Actors.Tests.Routing;

public sealed class AbandonedIdsSpec
{
    [Fact]
    public void AbandonedIds_keeps_the_newest_ids_up_to_its_capacity()
    {
        var ids = new AbandonedIds(capacity: 2);
        ids.Add("a");
        ids.Add("b");
        ids.Add("c");

        Assert.False(ids.Contains("a"));
        Assert.True(ids.Contains("b"));
        Assert.True(ids.Contains("c"));
    }

    [Fact]
    public void AbandonedIds_keeps_an_id_abandoned_again_after_its_first_entry_is_pushed_out()
    {
        var ids = new AbandonedIds(capacity: 2);
        ids.Add("a");
        ids.Add("b");
        ids.Add("a");
        // Pushes out the first "a" entry only; the second one still stands.
        ids.Add("c");

        Assert.True(ids.Contains("a"));
        Assert.False(ids.Contains("b"));
    }

    [Fact]
    public void AbandonedIds_forgets_an_id_once_its_late_answer_came()
    {
        var ids = new AbandonedIds(capacity: 4);
        ids.Add("a");
        ids.Forget("a");

        Assert.False(ids.Contains("a"));
    }

    [Fact]
    public void The_abandoned_ids_kept_setting_is_read_and_must_be_positive()
    {
        Assert.Equal(1_024, GatewaySettings.Create(ConfigurationFactory.Empty).AbandonedIdsKept);
        Assert.Equal(7, GatewaySettings.Create(ConfigurationFactory.ParseString("bro.gateway.abandoned-ids-kept = 7")).AbandonedIdsKept);
        Assert.Throws<ConfigurationException>(() => GatewaySettings.Create(ConfigurationFactory.ParseString("bro.gateway.abandoned-ids-kept = 0")));
    }
}
