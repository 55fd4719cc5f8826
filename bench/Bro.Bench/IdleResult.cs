namespace Bro.Bench;

/// <summary>The gateway's resident set before and after the idle connections, in MiB.</summary>
internal sealed record IdleResult(int Connections, double RssBeforeMb, double RssAfterMb)
{
    public double AddedMb => RssAfterMb - RssBeforeMb;
}
