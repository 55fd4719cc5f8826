namespace Bro.Security;

/// <summary>
/// Who is at the other end of a connection, as the kernel saw it when the peer connected
/// (Linux <c>SO_PEERCRED</c>): the peer process's id and its effective user and group ids.
/// </summary>
/// <remarks>
/// The kernel records them at <c>connect()</c>, so a peer cannot forge them; a process that
/// hands its socket to another (fork, fd passing) keeps the first process's credentials.
/// Only the effective (primary) group is seen, never the supplementary groups.
/// </remarks>
/// <param name="Pid">The peer's process id.</param>
/// <param name="Uid">The peer's effective user id.</param>
/// <param name="Gid">The peer's effective group id.</param>
public sealed record PeerCredentials(int Pid, uint Uid, uint Gid)
{
    /// <inheritdoc />
    public override string ToString() => $"pid {Pid}, uid {Uid}, gid {Gid}";
}
