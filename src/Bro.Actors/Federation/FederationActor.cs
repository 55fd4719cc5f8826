using System.Collections.Immutable;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Bro.BuiltIn;
using Bro.Configuration;
using Bro.Protocol;
using Bro.Routing;

namespace Bro.Federation;

/// <summary>
/// A gateway's part in the cluster: publishes the services it serves to the directory, turns
/// the directory and the cluster's membership into remote routes (<see cref="RouteTable.SetRemote"/>),
/// routes the frames other gateways send it, and fails every call in flight to a gateway the
/// moment the cluster removes it.
/// </summary>
/// <remarks>
/// <para><b>Why Akka.DistributedData.</b> The directory is an <c>ORSet</c> of
/// <see cref="DirectoryEntry"/>, one per (gateway, service). Each gateway adds and removes only
/// its own entries, so concurrent updates never conflict; a gateway that joins gets the whole
/// set by gossip, without asking anyone; no singleton has to be placed, handed over or
/// recovered when a node goes (Cluster.Tools' pub-sub would need a snapshot protocol on top,
/// a singleton a failover). An entry is routed only while its gateway is an Up, reachable
/// member of the same incarnation, so entries of a crashed gateway route nothing even before
/// a survivor removes them.</para>
/// <para><b>Frames.</b> The data plane never passes through this actor, nor through Akka
/// remoting: frames travel on direct data links (<see cref="PeerEndpoint"/>), written and read
/// like a service's socket. Remoting costs several mailbox hops per message on each side
/// (measured: its own round trip alone was as long as the whole target for a call across two
/// gateways; docs/bench-log.md, section 25). This actor hands out the links' tokens
/// (<see cref="DataLinkOffer"/>, sent only to members, and with a secret only to members that
/// proved it), checks them when a link arrives (<see cref="InboundLink"/>), and replaces a link
/// that broke: its calls in flight are answered CONNECTION_LOST at once, and its gateway rests
/// from new calls for <see cref="LinkRetryDelay"/> before a new link is opened.</para>
/// <para><b>Failure.</b> An unreachable or leaving gateway gets no new calls; its calls in
/// flight keep their deadlines (the caller's gateway answers DEADLINE_EXCEEDED on time, whatever
/// the partition). Once the cluster removes it (it left, or the split-brain resolver downed
/// it), <see cref="CallRouter.ConnectionLost"/> answers every call in flight to it
/// CONNECTION_LOST at once.</para>
/// <para><b>Secret.</b> With <see cref="FederationSettings.Secret"/>, a member is routed to and
/// heard only once it has proved the secret (<see cref="SecretProof"/>, sent by each side when
/// it sees the other Up, and once more after it accepted the other's); one that has not proved
/// it within the secret timeout is downed.</para>
/// </remarks>
internal sealed class FederationActor : ReceiveActor, IWithTimers
{
    /// <summary>The actor's name under <c>/user</c>, the same on every gateway: others address it by path.</summary>
    public const string Name = "bro-federation";

    /// <summary>The directory's key in Akka.DistributedData.</summary>
    public static readonly ORSetKey<DirectoryEntry> DirectoryKey = new("bro-directory");

    /// <summary>The registry changed the local routes: publish what this gateway serves.</summary>
    public sealed record LocalServicesChanged
    {
        public static LocalServicesChanged Instance { get; } = new();
        private LocalServicesChanged() { }
    }

    /// <summary>
    /// The gateway is stopping: its entries are taken out of the directory (on every reachable
    /// member, or after a second) so that no new call is routed here; answered with <see cref="Withdrawn"/>.
    /// </summary>
    public sealed record Withdraw
    {
        public static Withdraw Instance { get; } = new();
        private Withdraw() { }
    }

    /// <summary>The answer to <see cref="Withdraw"/>.</summary>
    public sealed record Withdrawn
    {
        public static Withdrawn Instance { get; } = new();
        private Withdrawn() { }
    }

    /// <summary>Asks for a <see cref="FederationView"/>. Rare: Ask is fine.</summary>
    public sealed record GetView
    {
        public static GetView Instance { get; } = new();
        private GetView() { }
    }

    /// <summary>How long a gateway whose link broke gets no new calls before a new link is tried.</summary>
    public static readonly TimeSpan LinkRetryDelay = TimeSpan.FromSeconds(1);

    private sealed record SecretTimedOut(UniqueAddress Member) : IDeadLetterSuppression;

    private sealed record LinkBroken(PeerEndpoint Link, string Why);

    private sealed record RestOver(Address Gateway) : IDeadLetterSuppression;

    private sealed record WithdrawRequest(IActorRef ReplyTo);

    private readonly GatewaySettings _settings;
    private readonly FederationSettings _federation;
    private readonly CallRouter _router;
    private readonly RouteTable _routes;
    private readonly Cluster _cluster;
    private readonly IActorRef _replicator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly FederationSecret? _secret;
    private readonly FederationTls? _tls;
    private readonly Dictionary<Address, Member> _up = [];
    private readonly HashSet<Address> _unreachable = [];
    // With a secret: members whose proof we verified, and those that have also accepted ours.
    private readonly Dictionary<Address, long> _trusted = [];
    private readonly HashSet<Address> _confirmed = [];
    private readonly Dictionary<(Address, BroEncoding), PeerEndpoint> _links = [];
    // The offers other gateways made this one, and the token this one issued to each member.
    private readonly Dictionary<Address, DataLinkOffer> _offers = [];
    private readonly Dictionary<UniqueAddress, byte[]> _tokens = [];
    // Gateways whose link broke, resting until RestOver.
    private readonly HashSet<Address> _resting = [];
    private readonly DataLinkListener _listener;
    private readonly Dictionary<string, CallEndpoint[]> _applied = new(StringComparer.Ordinal);
    private IImmutableSet<DirectoryEntry> _directory = ImmutableHashSet<DirectoryEntry>.Empty;
    private ImmutableHashSet<DirectoryEntry> _published = [];
    private readonly string _self;
    private readonly long _incarnation;

    /// <summary>The actor's timers; set by Akka before the actor starts.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    public FederationActor(GatewaySettings settings, FederationSettings federation, CallRouter router, RouteTable routes, DataLinkListener dataPort)
    {
        _listener = dataPort;
        _settings = settings;
        _federation = federation;
        _router = router;
        _routes = routes;
        _cluster = Cluster.Get(Context.System);
        _replicator = DistributedData.Get(Context.System).Replicator;
        _secret = federation.Secret is { } secret ? new FederationSecret(secret) : null;
        _self = _cluster.SelfAddress.ToString();
        _incarnation = _cluster.SelfUniqueAddress.Uid;
        // Data links speak TLS when the cluster port does, with the same certificate and trust.
        _tls = FederationTls.From(Context.System.Settings.Config);

        Receive<DataLinkOffer>(Offered);
        Receive<InboundLink>(Arrived);
        Receive<LinkBroken>(Broken);
        Receive<RestOver>(r =>
        {
            if (_resting.Remove(r.Gateway))
                ApplyRoutes();
        });
        Receive<LocalServicesChanged>(_ => Publish());
        Receive<ClusterEvent.MemberUp>(e => MemberUp(e.Member));
        Receive<ClusterEvent.MemberLeft>(e => NoLongerUp(e.Member));
        Receive<ClusterEvent.MemberExited>(e => NoLongerUp(e.Member));
        Receive<ClusterEvent.MemberRemoved>(e => MemberRemoved(e.Member));
        Receive<ClusterEvent.UnreachableMember>(e => Reachability(e.Member, reachable: false));
        Receive<ClusterEvent.ReachableMember>(e => Reachability(e.Member, reachable: true));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<Changed>(c => c.Key.Equals(DirectoryKey), c =>
        {
            _directory = c.Get(DirectoryKey).Elements;
            ApplyRoutes();
        });
        Receive<SecretProof>(Proved);
        Receive<SecretTimedOut>(TimedOut);
        Receive<Withdraw>(_ => WithdrawEntries());
        Receive<UpdateSuccess>(u => u.Request is WithdrawRequest, u => ((WithdrawRequest)u.Request!).ReplyTo.Tell(Withdrawn.Instance));
        Receive<IUpdateFailure>(u => u.Request is WithdrawRequest, u => ((WithdrawRequest)u.Request!).ReplyTo.Tell(Withdrawn.Instance));
        // A publish that did not reach every member in time is still written here, and gossip
        // spreads it: nothing to do on a timeout.
        Receive<IUpdateResponse>(_ => { });
        Receive<GetView>(_ => Sender.Tell(View()));
    }

    /// <summary>Props for the federation actor; create it under <see cref="Name"/>.</summary>
    /// <param name="settings">The gateway's settings.</param>
    /// <param name="federation">How this gateway joins the others.</param>
    /// <param name="router">The data plane the links route into.</param>
    /// <param name="routes">Where remote routes are set and local ones read.</param>
    /// <param name="dataPort">The bound data port; the actor starts it, the gateway closes it.</param>
    internal static Props Props(GatewaySettings settings, FederationSettings federation, CallRouter router, RouteTable routes,
        DataLinkListener dataPort) =>
        Akka.Actor.Props.Create(() => new FederationActor(settings, federation, router, routes, dataPort));

    /// <inheritdoc />
    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        _replicator.Tell(Dsl.Subscribe(DirectoryKey, Self));
        var self = Self;
        _routes.LocalChanged = () => self.Tell(LocalServicesChanged.Instance);
        _listener.Start(_tls?.ServerOptions(), link => self.Tell(link), _log);
        _log.Info("Data links from other gateways: port {0}", _listener.Port);
        Publish();
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _routes.LocalChanged = null;
        _cluster.Unsubscribe(Self);
        foreach (var service in _applied.Keys)
            _routes.SetRemote(service, []);
        foreach (var link in _links.Values)
        {
            link.Close();
            _router.ConnectionLost(link);
        }
    }

    // ---- data links ----

    private void Offered(DataLinkOffer offer)
    {
        var from = Sender.Path.Address;
        if (!Hears(from))
        {
            _log.Warning("Ignored a data link offer from {0}: not a member this gateway trusts", from);
            return;
        }

        _offers[from] = offer;
        if (!offer.HoldsYours && _cluster.State.Members.FirstOrDefault(m => m.Address.Equals(from)) is { } member)
            Offer(member.UniqueAddress);
        foreach (var ((gateway, _), link) in _links)
        {
            if (gateway.Equals(from))
                link.Connect(offer, _tls?.ClientOptions(offer.Host));
        }

        ApplyRoutes();
    }

    private void Arrived(InboundLink inbound)
    {
        // Compared in constant time: how long a refusal takes tells a stranger nothing about a token.
        var from = _tokens.FirstOrDefault(t => CryptographicOperations.FixedTimeEquals(t.Value, inbound.Token)).Key;
        if (from is null || !IsCurrent(from))
        {
            _log.Warning("Refused a data link from {0}: its token is not one this gateway issued to a current member",
                inbound.Transport.Socket.RemoteEndPoint);
            inbound.Transport.Dispose();
            return;
        }

        if (!Link(from.Address, inbound.Encoding).AttachInbound(inbound.Transport, inbound.MaxFrameSize))
        {
            // A second link from the same gateway: it is replacing one that broke, which this side will see break too.
            _log.Warning("Refused a second data link from {0} ({1}) while the first is open", from.Address, inbound.Encoding);
            inbound.Transport.Dispose();
        }
    }

    private void Broken(LinkBroken broken)
    {
        var link = broken.Link;
        var key = (link.Gateway, link.Encoding);
        if (!_links.TryGetValue(key, out var current) || !ReferenceEquals(current, link))
            return;
        _links.Remove(key);
        var (lost, dropped) = (link.IncomingCount, link.OutgoingCount);
        link.Close();
        _router.ConnectionLost(link);
        // A gateway that stops closes its links before it leaves the cluster: with no call lost, that is news, not trouble.
        const string broke = "The data link with {0} ({1}) broke: {2}; {3} calls in flight to it answered CONNECTION_LOST, "
                             + "{4} calls from it dropped (a service that understands CANCEL is told), new calls go elsewhere for {5}";
        if (lost + dropped > 0)
            _log.Warning(broke, link.Gateway, link.Encoding, broken.Why, lost, dropped, LinkRetryDelay);
        else
            _log.Info(broke, link.Gateway, link.Encoding, broken.Why, lost, dropped, LinkRetryDelay);
        _resting.Add(link.Gateway);
        Timers.StartSingleTimer(("rest", link.Gateway), new RestOver(link.Gateway), LinkRetryDelay);
        ApplyRoutes();
    }

    /// <summary>Whether an offer from <paramref name="gateway"/> is taken: a member (that proved the secret, if there is one).</summary>
    private bool Hears(Address gateway)
    {
        if (_secret is not null)
            return _trusted.ContainsKey(gateway);
        // Without a secret any member is heard, even one whose Up this gateway has not seen yet
        // (membership converges by gossip: the sender may see itself Up before we do).
        foreach (var member in _cluster.State.Members)
        {
            if (member.Address.Equals(gateway) && member.Status is not (MemberStatus.Down or MemberStatus.Removed))
                return true;
        }

        return false;
    }

    /// <summary>Whether <paramref name="member"/> is still that incarnation of a member this gateway hears.</summary>
    private bool IsCurrent(UniqueAddress member) =>
        Hears(member.Address) && _cluster.State.Members.Any(m => m.UniqueAddress.Equals(member));

    private PeerEndpoint Link(Address gateway, BroEncoding encoding)
    {
        if (_links.TryGetValue((gateway, encoding), out var link))
            return link;
        var self = Self;
        link = new PeerEndpoint(gateway, encoding, _settings, _router, _log, (l, why) => self.Tell(new LinkBroken(l, why)));
        _links[(gateway, encoding)] = link;
        _router.Attach(link);
        if (_offers.TryGetValue(gateway, out var offer))
            link.Connect(offer, _tls?.ClientOptions(offer.Host));
        return link;
    }

    /// <summary>Issues <paramref name="member"/> a token for links to this gateway, and tells it where to open them.</summary>
    private void Offer(UniqueAddress member)
    {
        // One token per incarnation, offered again as it is: a link on its way with it must not
        // find it revoked. A token of an earlier incarnation at the same address is.
        foreach (var earlier in _tokens.Keys.Where(m => m.Address.Equals(member.Address) && !m.Equals(member)).ToList())
            _tokens.Remove(earlier);
        if (!_tokens.TryGetValue(member, out var token))
            _tokens[member] = token = DataLinkHello.NewToken();
        var offer = new DataLinkOffer(_federation.PublicHostname ?? _federation.Hostname, _listener.Port, token, _offers.ContainsKey(member.Address));
        PeerAt(member.Address).Tell(offer, Self);
    }

    private IActorRef PeerAt(Address gateway) =>
        ((ExtendedActorSystem)Context.System).Provider.ResolveActorRef(new RootActorPath(gateway) / "user" / Name);

    // ---- membership ----

    private void MemberUp(Member member)
    {
        if (member.Address.Equals(_cluster.SelfAddress))
            return;
        _up[member.Address] = member;
        if (_secret is not null)
        {
            SendProof(member.UniqueAddress);
            Timers.StartSingleTimer(("secret", member.Address), new SecretTimedOut(member.UniqueAddress), _federation.SecretTimeout);
        }
        else
        {
            Offer(member.UniqueAddress);
        }

        _log.Info("Gateway {0} is up", member.Address);
        ApplyRoutes();
    }

    private void NoLongerUp(Member member)
    {
        if (_up.Remove(member.Address))
        {
            _log.Info("Gateway {0} is leaving: no new calls go to it", member.Address);
            ApplyRoutes();
        }
    }

    private void Reachability(Member member, bool reachable)
    {
        var changed = reachable ? _unreachable.Remove(member.Address) : _unreachable.Add(member.Address);
        if (!changed)
            return;
        _log.Info(reachable ? "Gateway {0} is reachable again" : "Gateway {0} is unreachable: no new calls go to it", member.Address);
        ApplyRoutes();
    }

    private void MemberRemoved(Member member)
    {
        var address = member.Address;
        if (address.Equals(_cluster.SelfAddress))
            return; // this gateway was downed: it is shutting down, and ShutDown answers its calls
        _up.Remove(address);
        _unreachable.Remove(address);
        _trusted.Remove(address);
        _confirmed.Remove(address);
        _offers.Remove(address);
        _resting.Remove(address);
        foreach (var holder in _tokens.Keys.Where(m => m.Address.Equals(address)).ToList())
            _tokens.Remove(holder);
        Timers.Cancel(("secret", address));
        Timers.Cancel(("rest", address));
        ApplyRoutes();

        // After the routes: a reader that still picked the old pool finds the link closed and
        // answers CONNECTION_LOST itself.
        var lost = 0;
        foreach (var key in _links.Keys.Where(k => k.Item1.Equals(address)).ToList())
        {
            var link = _links[key];
            _links.Remove(key);
            lost += link.IncomingCount;
            link.Close();
            _router.ConnectionLost(link);
        }

        _log.Info("Gateway {0} left the cluster ({1}); {2} calls in flight to it answered CONNECTION_LOST",
            address, member.Status, lost);

        // Any survivor may take a gone gateway's entries out; removing one twice is harmless.
        var uid = member.UniqueAddress.Uid;
        var gone = _directory.Where(e => e.Gateway == address.ToString() && e.Incarnation == uid).ToList();
        if (gone.Count > 0)
            _replicator.Tell(Dsl.Update(DirectoryKey, ORSet<DirectoryEntry>.Empty, WriteLocal.Instance,
                set => gone.Aggregate(set, (s, e) => s.Remove(_cluster.SelfUniqueAddress, e))));
    }

    // ---- the secret ----

    private void SendProof(UniqueAddress to)
    {
        var mac = _secret!.Mac(_self, _incarnation, to.Address.ToString(), to.Uid);
        PeerAt(to.Address).Tell(new SecretProof(_incarnation, mac), Self);
    }

    private void Proved(SecretProof proof)
    {
        var from = Sender.Path.Address;
        if (_secret is null)
            return;
        if (!_secret.Verify(proof, from.ToString(), _self, _incarnation))
        {
            _log.Warning("Gateway {0} sent a wrong cluster secret: downing it", from);
            _cluster.Down(from);
            return;
        }

        if (_trusted.TryGetValue(from, out var known) && known == proof.Incarnation)
        {
            // Its second proof: it accepted ours, so it routes what we send.
            if (_confirmed.Add(from))
                ApplyRoutes();
            return;
        }

        _trusted[from] = proof.Incarnation;
        Timers.Cancel(("secret", from));
        _log.Info("Gateway {0} proved the cluster secret", from);
        // Once more, now that we accepted it: its second proof tells it we did.
        var member = new UniqueAddress(from, (int)proof.Incarnation);
        SendProof(member);
        Offer(member);
    }

    private void TimedOut(SecretTimedOut timedOut)
    {
        var address = timedOut.Member.Address;
        if (_trusted.ContainsKey(address) || !_up.ContainsKey(address))
            return;
        _log.Warning("Gateway {0} did not prove the cluster secret within {1}: downing it", address, _federation.SecretTimeout);
        _cluster.Down(address);
    }

    // ---- the directory ----

    /// <summary>Brings this gateway's entries in the directory in line with its local routes.</summary>
    private void Publish()
    {
        var wanted = ImmutableHashSet.CreateBuilder<DirectoryEntry>();
        foreach (var (service, endpoints) in _routes.LocalServices())
        {
            if (string.Equals(service, BroService.Name, StringComparison.Ordinal) || endpoints.Length == 0)
                continue;
            wanted.Add(new DirectoryEntry(_self, _incarnation, service, endpoints[0].Encoding, endpoints.Length));
        }

        var next = wanted.ToImmutable();
        if (next.SetEquals(_published))
            return;
        var removed = _published.Except(next);
        var added = next.Except(_published);
        _published = next;
        _replicator.Tell(Dsl.Update(DirectoryKey, ORSet<DirectoryEntry>.Empty, new WriteAll(TimeSpan.FromSeconds(2)), set =>
        {
            foreach (var e in removed)
                set = set.Remove(_cluster.SelfUniqueAddress, e);
            foreach (var e in added)
                set = set.Add(_cluster.SelfUniqueAddress, e);
            return set;
        }));
    }

    private void WithdrawEntries()
    {
        var removed = _published;
        _published = [];
        _routes.LocalChanged = null;
        _replicator.Tell(Dsl.Update(DirectoryKey, ORSet<DirectoryEntry>.Empty, new WriteAll(TimeSpan.FromSeconds(1)),
            new WithdrawRequest(Sender), set => removed.Aggregate(set, (s, e) => s.Remove(_cluster.SelfUniqueAddress, e))));
    }

    /// <summary>Sets a remote route for every service another routed gateway serves, and clears the rest.</summary>
    private void ApplyRoutes()
    {
        var routes = new Dictionary<string, List<CallEndpoint>>(StringComparer.Ordinal);
        foreach (var entry in _directory.OrderBy(e => e.Gateway, StringComparer.Ordinal))
        {
            if (!RoutedTo(entry, out var address))
                continue;
            var link = Link(address, entry.Encoding);
            if (!routes.TryGetValue(entry.Service, out var list))
                routes[entry.Service] = list = [];
            if (!list.Contains(link))
                list.Add(link);
        }

        foreach (var service in _applied.Keys.Where(s => !routes.ContainsKey(s)).ToList())
        {
            _applied.Remove(service);
            _routes.SetRemote(service, []);
        }

        foreach (var (service, list) in routes)
        {
            if (_applied.TryGetValue(service, out var current) && current.SequenceEqual(list))
                continue;
            _applied[service] = [.. list];
            _routes.SetRemote(service, list);
        }
    }

    private bool RoutedTo(DirectoryEntry entry, out Address address)
    {
        address = null!;
        if (entry.Gateway == _self)
            return false;
        foreach (var (candidate, member) in _up)
        {
            if (candidate.ToString() != entry.Gateway)
                continue;
            address = candidate;
            return member.UniqueAddress.Uid == entry.Incarnation && IsRouted(candidate);
        }

        return false;
    }

    private bool IsRouted(Address member) =>
        _up.ContainsKey(member) && !_unreachable.Contains(member) && (_secret is null || _confirmed.Contains(member))
        && _offers.ContainsKey(member) && !_resting.Contains(member);

    private FederationView View()
    {
        var members = _cluster.State.Members
            .Select(m => new ClusterMemberInfo(m.Address.ToString(), m.Status.ToString(),
                !_cluster.State.Unreachable.Contains(m), m.Address.Equals(_cluster.SelfAddress) || IsRouted(m.Address)))
            .ToImmutableArray();
        var directory = _directory
            .OrderBy(e => e.Service, StringComparer.Ordinal).ThenBy(e => e.Gateway, StringComparer.Ordinal)
            .Select(e => new RemoteServiceInfo(e.Service, e.Gateway, e.Encoding == BroEncoding.Json ? "json" : "msgpack", e.Connections))
            .ToImmutableArray();
        return new FederationView(_self, members, directory) { DataPort = _listener.Port };
    }
}
