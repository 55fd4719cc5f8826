using Akka.Configuration;
using Akka.Configuration.Hocon;
using Bro.Security.Internal;

namespace Bro.Security;

/// <summary>
/// Who may connect to the gateway and what each peer may do, by the peer's user and group ids
/// (<see cref="PeerCredentials"/>): a list of <see cref="PolicyRule"/>s. Read from HOCON
/// (<c>bro.gateway.policy</c>, see <c>reference.conf</c>) by <c>GatewaySettings.Create</c>, or
/// built in code and set as <c>GatewaySettings.Policy</c>.
/// </summary>
/// <remarks>
/// <para>With a policy, a peer whose uid and gid no rule names is answered ERROR
/// (<c>UNAUTHORIZED</c>) and closed as soon as it connects; a REGISTER of a name no rule of the
/// peer allows is refused the same way; a CALL to a service no rule of the caller allows is
/// answered with an error RESPONSE (<c>UNAUTHORIZED</c>). Where the platform cannot tell who a
/// peer is (off Linux), every connection is refused: a policy is never silently skipped.</para>
/// <para>Immutable and thread-safe. The globs are compiled once, here.</para>
/// </remarks>
public sealed class GatewayPolicy
{
    private static readonly HashSet<string> RuleKeys =
        ["uids", "gids", "register", "call", "allow-pool-from-other-process"];

    private readonly (PolicyRule Rule, ServiceNamePattern[] Register, ServiceNamePattern[] Call)[] _compiled;

    /// <summary>A policy of <paramref name="rules"/>.</summary>
    /// <exception cref="ArgumentException">No rules: a policy that admits nobody is a mistake.</exception>
    public GatewayPolicy(IEnumerable<PolicyRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        Rules = [.. rules];
        if (Rules.Count == 0)
            throw new ArgumentException("A policy needs at least one rule; leave GatewaySettings.Policy null for none", nameof(rules));
        _compiled = [.. Rules.Select(r => (r, Compile(r.Register), Compile(r.Call)))];
    }

    /// <summary>The rules, in the order given.</summary>
    public IReadOnlyList<PolicyRule> Rules { get; }

    /// <summary>
    /// What a connection from <paramref name="peer"/> may do, from the rules that name it;
    /// <c>null</c> (with the reason) when it may not connect at all.
    /// </summary>
    internal PeerPermissions? Admit(PeerCredentials? peer, out string refusal)
    {
        if (peer is null)
        {
            refusal = "The gateway has a policy (bro.gateway.policy) but cannot read who is connecting on this platform";
            return null;
        }

        List<ServiceNamePattern> register = [], call = [], poolFromOtherProcess = [];
        var matched = false;
        foreach (var (rule, registerPatterns, callPatterns) in _compiled)
        {
            if (!rule.AppliesTo(peer))
                continue;
            matched = true;
            register.AddRange(registerPatterns);
            call.AddRange(callPatterns);
            if (rule.AllowPoolFromOtherProcess)
                poolFromOtherProcess.AddRange(registerPatterns);
        }

        if (!matched)
        {
            refusal = $"No rule of bro.gateway.policy admits uid {peer.Uid} or gid {peer.Gid} (pid {peer.Pid})";
            return null;
        }

        refusal = string.Empty;
        return new PeerPermissions(peer, [.. register], [.. call], [.. poolFromOtherProcess]);
    }

    /// <summary>
    /// Reads a <c>policy</c> section (its <c>rules</c> object, one named rule each);
    /// <c>null</c> when it has no rules: no policy.
    /// </summary>
    /// <exception cref="ConfigurationException">A rule names nobody, has an unknown key, or an id that is not a number.</exception>
    internal static GatewayPolicy? FromConfig(Config section)
    {
        var rules = new List<PolicyRule>();
        if (section.HasPath("rules"))
        {
            foreach (var (name, value) in section.GetConfig("rules").AsEnumerable())
                rules.Add(ReadRule(name, value));
        }

        return rules.Count == 0 ? null : new GatewayPolicy(rules);
    }

    private static PolicyRule ReadRule(string name, HoconValue value)
    {
        var where = $"bro.gateway.policy.rules.{name}";
        if (!value.IsObject())
            throw new ConfigurationException($"{where} must be an object (uids, gids, register, call, allow-pool-from-other-process)");
        // A misspelt key would silently grant or deny less than its author meant.
        foreach (var key in value.GetObject().Items.Keys)
        {
            if (!RuleKeys.Contains(key))
                throw new ConfigurationException($"{where}.{key} is not a policy rule key; a rule takes {string.Join(", ", RuleKeys)}");
        }

        var rule = new Config(new HoconRoot(value));
        var parsed = new PolicyRule
        {
            Name = name,
            Uids = Ids(rule, "uids", where),
            Gids = Ids(rule, "gids", where),
            Register = Patterns(rule, "register", where),
            Call = Patterns(rule, "call", where),
            AllowPoolFromOtherProcess = rule.GetBoolean("allow-pool-from-other-process"),
        };
        if (parsed.Uids.Count == 0 && parsed.Gids.Count == 0)
            throw new ConfigurationException($"{where} names no uids and no gids: it would apply to nobody");
        return parsed;
    }

    private static uint[] Ids(Config rule, string key, string where) =>
    [
        .. rule.GetStringList(key, []).Select(text => uint.TryParse(text, out var id)
            ? id
            : throw new ConfigurationException($"{where}.{key}: '{text}' is not a numeric id")),
    ];

    private static string[] Patterns(Config rule, string key, string where) =>
    [
        .. rule.GetStringList(key, []).Select(pattern => pattern.Length > 0
            ? pattern
            : throw new ConfigurationException($"{where}.{key}: an empty pattern matches no service name")),
    ];

    private static ServiceNamePattern[] Compile(IReadOnlyList<string> patterns) =>
        [.. patterns.Select(p => new ServiceNamePattern(p))];
}
