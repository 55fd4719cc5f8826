namespace Bro.Security;

/// <summary>
/// One rule of a <see cref="GatewayPolicy"/>: the peers it applies to (by user or group id) and
/// what they may do. A peer gets the union of every rule that names its uid or its gid. Built
/// from HOCON (<c>bro.gateway.policy.rules.&lt;name&gt;</c>) or in code.
/// </summary>
/// <remarks>
/// Service names are matched by globs: <c>*</c> any run of characters, <c>?</c> one character,
/// case-sensitive; <c>"*"</c> alone matches every name.
/// </remarks>
public sealed record PolicyRule
{
    /// <summary>The rule's name, used in messages (its key in HOCON). Default empty.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>Effective user ids the rule applies to. Default none.</summary>
    public IReadOnlyList<uint> Uids { get; init; } = [];

    /// <summary>
    /// Effective (primary) group ids the rule applies to; supplementary groups are not seen by
    /// the gateway. Default none.
    /// </summary>
    public IReadOnlyList<uint> Gids { get; init; } = [];

    /// <summary>Service names (globs) its peers may register, pool joins included. Default none.</summary>
    public IReadOnlyList<string> Register { get; init; } = [];

    /// <summary>Services (globs) its peers may call; other CALLs are answered <c>UNAUTHORIZED</c>. Default none.</summary>
    public IReadOnlyList<string> Call { get; init; } = [];

    /// <summary>
    /// Whether its peers may join the pool of a service this rule lets them register from a
    /// process other than the one that holds the service's first connection. Default <c>false</c>:
    /// a pool is one process's connections.
    /// </summary>
    public bool AllowPoolFromOtherProcess { get; init; }

    /// <summary>Whether the rule applies to <paramref name="peer"/>: it names its uid or its gid.</summary>
    internal bool AppliesTo(PeerCredentials peer) => Uids.Contains(peer.Uid) || Gids.Contains(peer.Gid);
}
