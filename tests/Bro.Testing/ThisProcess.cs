using System.Runtime.InteropServices;
using Bro.Security;

namespace Bro.Testing;

/// <summary>The test process's own credentials, as the kernel reports them to a socket's peer.</summary>
public static class ThisProcess
{
    /// <summary>This process's pid and effective uid and gid.</summary>
    public static PeerCredentials Credentials => new(Environment.ProcessId, GetEffectiveUid(), GetEffectiveGid());

    /// <summary>A user (and group) id that is not this process's: a policy naming only it shuts this process out.</summary>
    public static uint Stranger => Credentials.Uid == 65534 || Credentials.Gid == 65534 ? 65533u : 65534u;

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUid();

    [DllImport("libc", EntryPoint = "getegid")]
    private static extern uint GetEffectiveGid();
}
