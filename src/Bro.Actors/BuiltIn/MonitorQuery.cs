namespace Bro.BuiltIn;

/// <summary>The params of <see cref="BroService.Monitor"/>.</summary>
/// <param name="After">The cursor of the previous <see cref="MonitorBatch"/>; <c>null</c> to start
/// with what is routed from now on.</param>
/// <param name="Service">Only records from or to this service; <c>null</c> for all.</param>
/// <param name="WaitMs">How long to wait for a record before answering an empty batch; at most
/// 30,000 and never past the CALL's deadline. Default 5,000.</param>
public sealed record MonitorQuery(long? After = null, string? Service = null, int? WaitMs = null);
