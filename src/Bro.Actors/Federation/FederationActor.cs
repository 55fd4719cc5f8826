using System.Buffers.Binary;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Bro.BuiltIn;
using Bro.Configuration;
using Bro.Protocol;
using Bro.Routing;
using Bro.Transport;

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
/// <para><b>Frames.</b> The data plane does not pass through this actor on the way out
/// (<see cref="PeerEndpoint"/> sends from the reader's thread); on the way in, a
/// <see cref="FrameBatch"/> is routed here exactly as a socket's read loop routes its frames,
/// with the sending gateway's <see cref="PeerEndpoint"/> as the caller or responder.</para>
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

    private sealed record SecretTimedOut(UniqueAddress Member) : IDeadLetterSuppression;

    private sealed record WithdrawRequest(IActorRef ReplyTo);

    private readonly GatewaySettings _settings;
    private readonly FederationSettings _federation;
    private readonly CallRouter _router;
    private readonly RouteTable _routes;
    private readonly Cluster _cluster;
    private readonly IActorRef _replicator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly FederationSecret? _secret;
    private readonly FlushList _flushes = new();
    private readonly Dictionary<Address, Member> _up = [];
    private readonly HashSet<Address> _unreachable = [];
    // With a secret: members whose proof we verified, and those that have also accepted ours.
    private readonly Dictionary<Address, long> _trusted = [];
    private readonly HashSet<Address> _confirmed = [];
    private readonly Dictionary<(Address, BroEncoding), PeerEndpoint> _links = [];
    private readonly Dictionary<string, CallEndpoint[]> _applied = new(StringComparer.Ordinal);
    private IImmutableSet<DirectoryEntry> _directory = ImmutableHashSet<DirectoryEntry>.Empty;
    private ImmutableHashSet<DirectoryEntry> _published = [];
    private readonly string _self;
    private readonly long _incarnation;

    /// <summary>The actor's timers; set by Akka before the actor starts.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    public FederationActor(GatewaySettings settings, FederationSettings federation, CallRouter router, RouteTable routes)
    {
        _settings = settings;
        _federation = federation;
        _router = router;
        _routes = routes;
        _cluster = Cluster.Get(Context.System);
        _replicator = DistributedData.Get(Context.System).Replicator;
        _secret = federation.Secret is { } secret ? new FederationSecret(secret) : null;
        _self = _cluster.SelfAddress.ToString();
        _incarnation = _cluster.SelfUniqueAddress.Uid;

        Receive<FrameBatch>(Route);
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
    internal static Props Props(GatewaySettings settings, FederationSettings federation, CallRouter router, RouteTable routes) =>
        Akka.Actor.Props.Create(() => new FederationActor(settings, federation, router, routes));

    /// <inheritdoc />
    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        _replicator.Tell(Dsl.Subscribe(DirectoryKey, Self));
        var self = Self;
        _routes.LocalChanged = () => self.Tell(LocalServicesChanged.Instance);
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

    // ---- frames from other gateways ----

    private void Route(FrameBatch batch)
    {
        var from = Sender.Path.Address;
        if (!_links.TryGetValue((from, batch.Encoding), out var link))
        {
            if (!Hears(from))
            {
                _log.Warning("Dropped {0} bytes of frames from {1}: not a member this gateway trusts", batch.Bytes.Length, from);
                return;
            }

            link = Link(from, batch.Encoding);
        }

        var frames = batch.Frames;
        while (frames.Length >= BroFraming.HeaderSize)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(frames);
            if (length < 0 || length > frames.Length - BroFraming.HeaderSize)
            {
                // Only a gateway's own writes make a batch: a bad length is a broken peer, not input to route.
                _log.Error("Dropped the rest of a batch from {0}: a frame of length {1} with {2} bytes left", from, length, frames.Length);
                break;
            }

            var frame = frames[..(BroFraming.HeaderSize + length)];
            frames = frames[frame.Length..];
            FrameHeader header;
            try
            {
                header = link.Codec.ReadHeader(frame[BroFraming.HeaderSize..]);
            }
            catch (BroException e)
            {
                // The other gateway read this frame's header before it sent it: not expected.
                _log.Warning("Dropped a frame from {0} whose header cannot be read: {1}", from, e.Message);
                continue;
            }

            switch (header.Type)
            {
                case MessageType.Call:
                    _router.RouteCall(link, header, frame, _flushes);
                    break;
                case MessageType.Response:
                    _router.RouteResponse(link, header, frame, _flushes);
                    break;
                case MessageType.Cancel:
                    _router.RouteCancel(link, header, _flushes);
                    break;
            }
        }

        // An actor thread: flushes, never waits for flow control.
        _ = _flushes.FlushAll();
    }

    /// <summary>Whether frames from <paramref name="gateway"/> are routed: a member (that proved the secret, if there is one).</summary>
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

    private PeerEndpoint Link(Address gateway, BroEncoding encoding)
    {
        if (_links.TryGetValue((gateway, encoding), out var link))
            return link;
        var path = new RootActorPath(gateway) / "user" / Name;
        var peer = ((ExtendedActorSystem)Context.System).Provider.ResolveActorRef(path);
        link = new PeerEndpoint(gateway, encoding, peer, Self) { AbandonedIdsKept = _settings.AbandonedIdsKept };
        _links[(gateway, encoding)] = link;
        _router.Attach(link);
        return link;
    }

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
        Timers.Cancel(("secret", address));
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
        var peer = ((ExtendedActorSystem)Context.System).Provider.ResolveActorRef(new RootActorPath(to.Address) / "user" / Name);
        peer.Tell(new SecretProof(_incarnation, mac), Self);
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
        SendProof(new UniqueAddress(from, (int)proof.Incarnation));
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
        _up.ContainsKey(member) && !_unreachable.Contains(member) && (_secret is null || _confirmed.Contains(member));

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
        return new FederationView(_self, members, directory);
    }
}
