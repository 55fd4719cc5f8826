using System.Runtime.InteropServices;

namespace Bro.Bench;

/// <summary>The machine the run happened on.</summary>
internal static class Machine
{
    public static string CpuModel()
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"{model ?? RuntimeInformation.ProcessArchitecture.ToString()}, {RuntimeInformation.OSDescription}";
    }
}
