namespace Bro.BuiltIn;

/// <summary>The process at the other end of a connection (the kernel's <c>SO_PEERCRED</c>).</summary>
/// <param name="Pid">Its process id.</param>
/// <param name="Uid">Its effective user id.</param>
/// <param name="Gid">Its effective group id.</param>
public sealed record PeerReport(int Pid, uint Uid, uint Gid);
