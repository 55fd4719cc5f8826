namespace Bro.Security.Internal;

/// <summary>
/// What the policy lets one connection do, resolved once when it connects from the rules that
/// name its peer: the connection holds it, so the checks on the hot path cost a field read and,
/// for CALLs, a dictionary lookup.
/// </summary>
/// <remarks>
/// <see cref="MayCall"/> remembers its answer per target name. It is called by the connection's
/// read loop only (one frame at a time), so the cache takes no lock. The cache is capped: a peer
/// calling ever new names cannot grow it without limit; past the cap names are matched each time.
/// </remarks>
internal sealed class PeerPermissions
{
    private const int MaxCachedTargets = 1024;

    private readonly ServiceNamePattern[] _register;
    private readonly ServiceNamePattern[] _call;
    private readonly ServiceNamePattern[] _poolFromOtherProcess;
    private readonly Dictionary<string, bool> _callable = new(StringComparer.Ordinal);

    public PeerPermissions(
        PeerCredentials peer,
        ServiceNamePattern[] register,
        ServiceNamePattern[] call,
        ServiceNamePattern[] poolFromOtherProcess)
    {
        Peer = peer;
        _register = register;
        _call = call;
        _poolFromOtherProcess = poolFromOtherProcess;
    }

    /// <summary>Who they were resolved for.</summary>
    public PeerCredentials Peer { get; }

    /// <summary>Whether the connection may register (or join the pool of) <paramref name="service"/>.</summary>
    public bool MayRegister(string service) => AnyMatches(_register, service);

    /// <summary>Whether it may join <paramref name="service"/>'s pool from a process other than the pool's.</summary>
    public bool MayJoinPoolFromOtherProcess(string service) => AnyMatches(_poolFromOtherProcess, service);

    /// <summary>Whether it may call <paramref name="target"/>. The connection's read loop only.</summary>
    public bool MayCall(string target)
    {
        if (_callable.TryGetValue(target, out var allowed))
            return allowed;
        allowed = AnyMatches(_call, target);
        if (_callable.Count < MaxCachedTargets)
            _callable.Add(target, allowed);
        return allowed;
    }

    private static bool AnyMatches(ServiceNamePattern[] patterns, string name)
    {
        foreach (var pattern in patterns)
        {
            if (pattern.Matches(name))
                return true;
        }

        return false;
    }
}
