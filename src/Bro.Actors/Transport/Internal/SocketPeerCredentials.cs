using System.Net.Sockets;
using System.Runtime.InteropServices;
using Bro.Security;

namespace Bro.Transport.Internal;

/// <summary>
/// Reads the credentials of the process at the other end of an accepted Unix socket. .NET has
/// no API for them, so this asks <c>getsockopt(SOL_SOCKET, SO_PEERCRED)</c> through
/// <see cref="Socket.GetRawSocketOption"/>, which passes level and name to the C library
/// unchanged, on Linux only, where the option's number and <c>struct ucred</c>'s layout are known.
/// </summary>
internal static class SocketPeerCredentials
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    // struct ucred { pid_t pid; uid_t uid; gid_t gid; }: three 32-bit fields on every Linux ABI.
    private const int UcredSize = 12;

    /// <summary>The peer's credentials; <c>null</c> off Linux, or when the socket cannot tell (it closed).</summary>
    public static PeerCredentials? Read(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
            return null;
        Span<byte> ucred = stackalloc byte[UcredSize];
        try
        {
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred) != UcredSize)
                return null;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return null;
        }

        // In the machine's own byte order: the kernel filled in a C struct.
        return new PeerCredentials(
            MemoryMarshal.Read<int>(ucred),
            MemoryMarshal.Read<uint>(ucred[4..]),
            MemoryMarshal.Read<uint>(ucred[8..]));
    }
}
