using System.Runtime.InteropServices;

namespace Bro.Transport.Internal;

/// <summary>
/// Whether a path names a socket file. .NET does not expose a file's type (a socket reads as a
/// "Normal" empty file), and a listener must never delete anything at its path but a stale
/// socket, so this asks the C library's <c>lstat</c> where the layout of its answer is known.
/// </summary>
internal static class UnixFileKind
{
    private const uint TypeMask = 0xF000;
    private const uint SocketType = 0xC000;

    // Where st_mode sits in struct stat: after st_dev, st_ino and st_nlink on x86-64 Linux, after
    // st_dev and st_ino (st_nlink follows it) in the generic layout of 64-bit ARM Linux.
    private static readonly int ModeOffset = !OperatingSystem.IsLinux() ? -1 : RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 24,
        Architecture.Arm64 => 16,
        _ => -1,
    };

    /// <summary><c>true</c> for a socket, <c>false</c> for anything else, <c>null</c> where this platform cannot tell.</summary>
    public static bool? IsSocket(string path)
    {
        if (ModeOffset < 0)
            return null;
        // Larger than struct stat on either platform (144 and 128 bytes).
        var buffer = new byte[256];
        if (LStat(path, buffer) != 0)
            return null;
        return (BitConverter.ToUInt32(buffer, ModeOffset) & TypeMask) == SocketType;
    }

    // A plain DllImport: the source-generated LibraryImport would need unsafe code in the project.
    [DllImport("libc", EntryPoint = "lstat")]
    private static extern int LStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);
}
