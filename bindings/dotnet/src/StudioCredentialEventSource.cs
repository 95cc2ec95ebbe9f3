using System.Diagnostics.Tracing;
using VibeData.Studio.AzureCredBroker.Interop;

namespace VibeData.Studio.AzureCredBroker
{
    /// <summary>
    /// The native library's events — a fresh token, a retry and why, a proactive
    /// refresh, a failed refresh that served the cached token, the route a client
    /// chose (Informational); a failure (Warning); a cache hit (Verbose) — as an
    /// <see cref="EventSource"/> named the Azure SDK's way,
    /// <c>VibeData-Studio-AzureCredBroker</c> (like <c>Azure-Identity</c>), with the
    /// trait <c>AzureEventSource=true</c> that Azure.Core's
    /// <c>AzureEventSourceListener</c> selects its sources by. Messages are
    /// redacted by the library: no bearer, token or URL userinfo.
    /// </summary>
    /// <remarks>
    /// The library's callback is registered while a listener has the source
    /// enabled, for the most verbose level enabled; without one nothing is
    /// formatted. Mono's <c>EventSource</c> and <c>EventListener</c> are inert
    /// (never enabled, never called), so under Mono no event is ever delivered.
    /// </remarks>
    [EventSource(Name = SourceName)]
    internal sealed class StudioCredentialEventSource : EventSource
    {
        internal const string SourceName = "VibeData-Studio-AzureCredBroker";

        internal static readonly StudioCredentialEventSource Log = new StudioCredentialEventSource();

        private StudioCredentialEventSource()
            : base(SourceName, EventSourceSettings.Default, "AzureEventSource", "true")
        {
        }

        [Event(1, Level = EventLevel.Error, Message = "{0}")]
        public void Error(string message) => WriteEvent(1, message);

        [Event(2, Level = EventLevel.Warning, Message = "{0}")]
        public void Warning(string message) => WriteEvent(2, message);

        [Event(3, Level = EventLevel.Informational, Message = "{0}")]
        public void Informational(string message) => WriteEvent(3, message);

        [Event(4, Level = EventLevel.Verbose, Message = "{0}")]
        public void Verbose(string message) => WriteEvent(4, message);

        /// <summary>Makes sure the source exists, so that a listener can enable it.</summary>
        internal static void EnsureCreated()
        {
            System.GC.KeepAlive(Log);
        }

        /// <summary>Registers (or clears) the library's callback for what the listeners now want.</summary>
        protected override void OnEventCommand(EventCommandEventArgs command)
        {
            var wanted = (LogLevel)0;
            foreach (var level in new[] { LogLevel.Debug, LogLevel.Info, LogLevel.Warning, LogLevel.Error })
            {
                if (IsEnabled(ToEventLevel(level), EventKeywords.All))
                {
                    wanted = level;
                    break;
                }
            }
            NativeLog.Route(wanted, wanted == 0 ? null : (System.Action<LogLevel, string>)Write);
        }

        /// <summary>One event of the library at its level.</summary>
        internal void Write(LogLevel level, string message)
        {
            if (level == LogLevel.Error)
            {
                Error(message);
            }
            else if (level == LogLevel.Warning)
            {
                Warning(message);
            }
            else if (level == LogLevel.Debug)
            {
                Verbose(message);
            }
            else
            {
                Informational(message);
            }
        }

        /// <summary>The library's level as an <see cref="EventLevel"/>.</summary>
        internal static EventLevel ToEventLevel(LogLevel level)
        {
            if (level == LogLevel.Error)
            {
                return EventLevel.Error;
            }
            if (level == LogLevel.Warning)
            {
                return EventLevel.Warning;
            }
            return level == LogLevel.Debug ? EventLevel.Verbose : EventLevel.Informational;
        }
    }
}
