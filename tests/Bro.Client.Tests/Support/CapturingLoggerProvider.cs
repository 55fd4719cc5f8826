using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Bro.Client.Tests.Support;

/// <summary>An <see cref="ILoggerProvider"/> keeping every line, and waking waiters when one they look for arrives.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<Line> _lines = new();
    private readonly List<(Func<Line, bool> Match, TaskCompletionSource<Line> Found)> _waiters = [];

    /// <summary>The lines so far.</summary>
    public IReadOnlyCollection<Line> Lines => _lines;

    /// <summary>The first line (already logged or still to come) that <paramref name="match"/> accepts.</summary>
    public Task<Line> WaitFor(Func<Line, bool> match)
    {
        var found = new TaskCompletionSource<Line>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            // Registered before the lines are scanned, under the lock Add takes: no line slips between.
            _waiters.Add((match, found));
            foreach (var line in _lines)
            {
                if (match(line))
                    found.TrySetResult(line);
            }
        }

        return found.Task;
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Add(Line line)
    {
        lock (_waiters)
        {
            _lines.Enqueue(line);
            foreach (var (match, found) in _waiters)
            {
                if (match(line))
                    found.TrySetResult(line);
            }
        }
    }

    /// <summary>One logged line.</summary>
    public sealed record Line(string Category, LogLevel Level, string Message);

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(new Line(category, logLevel, formatter(state, exception)));
    }
}
