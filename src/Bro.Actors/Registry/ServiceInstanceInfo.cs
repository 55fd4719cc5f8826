using Bro.Security;

namespace Bro.Registry;

/// <summary>One instance of a service (a process serving it, with its pool), in a <see cref="ServiceInfo"/>.</summary>
/// <param name="InstanceId">The id it registered with (<c>metadata.instanceId</c>), or the one the
/// gateway gave it (<c>instance-N</c>, numbered per service from 1) when it gave none.</param>
/// <param name="Credentials">Who is at the other end of its first connection; <c>null</c> where the
/// platform cannot tell (off Linux).</param>
/// <param name="Connections">Its connections (its pool, at least 1).</param>
/// <param name="RegisteredAt">When its first connection registered (gateway clock).</param>
public sealed record ServiceInstanceInfo(
    string InstanceId,
    PeerCredentials? Credentials,
    int Connections,
    DateTimeOffset RegisteredAt);
