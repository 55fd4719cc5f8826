namespace Bro.BuiltIn;

/// <summary>The answer to <see cref="BroService.Monitor"/>.</summary>
/// <param name="Cursor">Pass it as <see cref="MonitorQuery.After"/> in the next poll.</param>
/// <param name="Missed">Records routed after the previous cursor that the buffer no longer held
/// (the monitor fell behind by more than <c>bro.gateway.monitor-buffer-size</c>).</param>
/// <param name="Records">The records after the previous cursor, oldest first.</param>
public sealed record MonitorBatch(long Cursor, long Missed, IReadOnlyList<MonitorRecord> Records);
