using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Bro.Transport.Internal;

/// <summary>
/// Whether the peer of a Unix socket that reached end of stream closed it entirely, or only shut
/// down its sending side (and may still read). Both read as end of stream; only the first sets
/// POLLHUP (the kernel sets it once both directions are shut). .NET folds POLLHUP into "readable",
/// so this asks the C library's <c>poll</c>, on Linux, where the flag's value is known.
/// </summary>
internal static class SocketHangup
{
    private const short PollHup = 0x010;

    /// <summary><c>true</c> when the peer has closed the socket; <c>false</c> when it has not, or the platform cannot tell.</summary>
    public static bool PeerClosed(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
            return false;
        try
        {
            // struct pollfd { int fd; short events; short revents; }: POLLHUP is reported even when not asked for.
            var poll = new PollFd { Fd = (int)socket.Handle, Events = 0 };
            return Poll(ref poll, 1, 0) == 1 && (poll.Revents & PollHup) != 0;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    // A plain DllImport: the source-generated LibraryImport would need unsafe code in the project.
    [DllImport("libc", EntryPoint = "poll")]
    private static extern int Poll(ref PollFd fds, nuint count, int timeoutMs);
}
