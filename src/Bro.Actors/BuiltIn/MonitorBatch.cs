namespace Bro.BuiltIn;

/// <summary>The answer to <see cref="BroService.Monitor"/>.</summary>
/// <param name="Cursor">Pass it as <see cref="MonitorQuery.After"/> in the next poll.</param>
/// <param name="Missed">Records routed after the previous cursor that the buffer no longer held
/// (the monitor fell behind by more than <c>bro.gateway.monitor-buffer-size</c>).</param>
/// <param name="Records">The records after the previous cursor, oldest first.</param>
/// <param name="Paused">The gateway paused recording since the previous batch: its monitors had
/// not read a whole buffer of records yet, so what it routed meanwhile is not shown.</param>
public sealed record MonitorBatch(long Cursor, long Missed, IReadOnlyList<MonitorRecord> Records, bool Paused = false);
