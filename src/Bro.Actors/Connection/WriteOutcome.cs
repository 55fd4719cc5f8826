namespace Bro.Connection;

/// <summary>What became of a frame handed to an <see cref="OutboundBuffer"/>.</summary>
internal enum WriteOutcome
{
    /// <summary>Queued; the next flush writes it.</summary>
    Queued,

    /// <summary>Not queued: the connection is closing or closed.</summary>
    Dropped,

    /// <summary>Not queued: it would have passed the byte limit.</summary>
    Overflow,
}
