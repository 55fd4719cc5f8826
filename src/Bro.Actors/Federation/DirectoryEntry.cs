using Bro.Protocol;

namespace Bro.Federation;

/// <summary>
/// One line of the cluster's service directory: a gateway (its address and incarnation) serves
/// a service over so many local connections, in an encoding. Each gateway adds and removes only
/// its own lines; a line whose gateway is not an Up member of this incarnation routes nothing.
/// </summary>
/// <param name="Gateway">The gateway's Akka address, <c>akka.tcp://bro@host:port</c>.</param>
/// <param name="Incarnation">The gateway's actor system uid: a gateway restarted on the same address is a new one.</param>
/// <param name="Service">The service name.</param>
/// <param name="Encoding">The encoding of the service's first connection: CALLs are transcoded into it by the caller's gateway, if at all.</param>
/// <param name="Connections">How many connections serve it there (a pool, or the instances of a group).</param>
internal sealed record DirectoryEntry(string Gateway, long Incarnation, string Service, BroEncoding Encoding, int Connections);
