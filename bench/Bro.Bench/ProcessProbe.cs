namespace Bro.Bench;

/// <summary>A child process's memory and CPU time, read from /proc.</summary>
internal static class ProcessProbe
{
    // USER_HZ: the unit of utime and stime, 100 on every Linux the runtime supports.
    private const long TicksPerSecond = 100;

    /// <summary>Resets the peak resident set (VmHWM) so the next reading covers one scenario; false where the kernel refuses.</summary>
    public static bool ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Peak resident set in MiB (VmHWM).</summary>
    public static double PeakRssMb(int pid) => StatusKb(pid, "VmHWM:") / 1024.0;

    /// <summary>Current resident set in MiB (VmRSS).</summary>
    public static double RssMb(int pid) => StatusKb(pid, "VmRSS:") / 1024.0;

    /// <summary>User plus system CPU time so far (utime + stime).</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the command name, which is in parentheses and may hold spaces.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]);
        return TimeSpan.FromSeconds((double)ticks / TicksPerSecond);
    }

    private static long StatusKb(int pid, string key)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0]);
        }

        return 0;
    }
}
