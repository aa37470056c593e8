using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DueDiligenceBot.Tests.Support;

/// <summary>Keeps every log entry at Warning or above (category, level, event, message, exception type).</summary>
public sealed class LogCollector : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

    public ConcurrentQueue<Entry> Entries { get; } = new();

    public IEnumerable<Entry> Errors => Entries.Where(e => e.Level >= LogLevel.Error);

    public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

    public void Dispose() { }

    private sealed class Collector(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) owner.Entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception), exception));
        }
    }
}
