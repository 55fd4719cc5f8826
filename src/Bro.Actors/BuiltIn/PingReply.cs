namespace Bro.BuiltIn;

/// <summary>The answer to <see cref="BroService.Ping"/>.</summary>
/// <param name="Gateway">The gateway's name (<c>bro.gateway.gateway-name</c>).</param>
/// <param name="Version">The gateway's version.</param>
/// <param name="UptimeMs">Milliseconds since the gateway started.</param>
public sealed record PingReply(string Gateway, string Version, long UptimeMs);
