using System.Globalization;

namespace Bro.Protocol;

/// <summary>Request and root ids in <c>ipc-bro</c>'s format: <c>&lt;prefix&gt;-&lt;epoch ms&gt;-&lt;6 chars of [a-z0-9]&gt;</c>.</summary>
public static class Ids
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A new request id, e.g. <c>req-1699005123456-a7f3e9</c>.</summary>
    /// <param name="time">The clock; <see cref="TimeProvider.System"/> when <c>null</c>.</param>
    public static string GenerateRequestId(TimeProvider? time = null) => Generate("req", time);

    /// <summary>A new context root id, e.g. <c>root-1699005123456-x1y2z3</c>.</summary>
    /// <param name="time">The clock; <see cref="TimeProvider.System"/> when <c>null</c>.</param>
    public static string GenerateRootId(TimeProvider? time = null) => Generate("root", time);

    private static string Generate(string prefix, TimeProvider? time)
    {
        var millis = (time ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds();
        Span<char> suffix = stackalloc char[6];

        // Ids need uniqueness, not secrecy: the shared (thread-safe) Random is enough.
        Random.Shared.GetItems(Alphabet, suffix);
        return string.Create(CultureInfo.InvariantCulture, $"{prefix}-{millis}-{suffix}");
    }
}
