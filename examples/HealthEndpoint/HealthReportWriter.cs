using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bro.Examples.HealthEndpoint;

/// <summary>
/// Writes a health report as text: the overall status, then one line per check with its
/// description. (The default writer says only "Healthy" or "Unhealthy".) The status code is set
/// by the health checks middleware: 200, or 503 when unhealthy.
/// </summary>
public static class HealthReportWriter
{
    /// <summary>A <c>HealthCheckOptions.ResponseWriter</c>.</summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var lines = report.Entries.Select(e => $"{e.Key}: {e.Value.Status} ({e.Value.Description})");
        return context.Response.WriteAsync($"{report.Status}\n{string.Join('\n', lines)}\n");
    }
}
