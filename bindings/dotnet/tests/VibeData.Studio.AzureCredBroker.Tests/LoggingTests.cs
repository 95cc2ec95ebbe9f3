using System;
using System.Collections.Generic;
using System.Diagnostics.Tracing;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using Azure;
using Azure.Core;
using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Interop;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>
    /// The credential as Azure.Identity's are: the library's events through an
    /// EventSource, HTTP answers as RequestFailedException, optional
    /// cancellation tokens, a mockable constructor, "Bearer" tokens.
    /// </summary>
    [TestFixture]
    public class LoggingTests : BrokerTest
    {
        private static bool OnMono => Type.GetType("Mono.Runtime") != null;

        [Test]
        public void TheLibrarysEventsReachTheManagedSinkWithoutSecrets()
        {
            var bearer = BearerFile.NewBearer();
            Bearer.Write(bearer);
            var seen = new List<KeyValuePair<LogLevel, string>>();
            NativeLog.Route(LogLevel.Debug, (level, message) => { lock (seen) { seen.Add(new KeyValuePair<LogLevel, string>(level, message)); } });
            AccessToken token;
            try
            {
                var credential = Credential();
                Emulator.Fault("{\"status\": 503, \"headers\": {\"Retry-After\": \"0\"}}");
                token = credential.GetToken(For(Storage));
                credential.GetToken(For(Storage));
                Emulator.Fault("{\"status\": 401, \"body\": \"{\\\"error_description\\\": \\\"bearer " + bearer + " refused\\\"}\"}");
                Assert.Throws<BrokerAuthenticationFailedException>(() => credential.GetToken(For(Vault)));
            }
            finally
            {
                NativeLog.Route(0, null);
            }

            var lines = seen.Select(e => e.Key + " " + e.Value).ToList();
            Assert.That(lines, Has.Some.StartsWith("Info new client: tokens come from the credential broker"));
            Assert.That(lines, Has.Some.StartsWith("Info attempt 1 of"));
            Assert.That(lines, Has.Some.StartsWith("Info minted a fresh token for " + Storage));
            Assert.That(lines.Any(l => l.StartsWith("Debug ") && l.Contains("served from the cache")), string.Join("\n", lines));
            Assert.That(lines, Has.Some.StartsWith("Warning no token for " + Vault));
            foreach (var line in lines)
            {
                Assert.That(line, Is.Not.StringContaining(bearer).And.Not.StringContaining(token.Token));
            }
        }

        [Test]
        public void TheEventSourceIsNamedTheAzureSdkWayWithALevelPerLibraryLevel()
        {
            var type = typeof(StudioCredentialEventSource);
            var attribute = (EventSourceAttribute)type.GetCustomAttributes(typeof(EventSourceAttribute), false).Single();
            Assert.That(attribute.Name, Is.EqualTo("VibeData-Studio-AzureCredBroker"));
            var levels = type.GetMethods()
                .Select(m => (EventAttribute)m.GetCustomAttributes(typeof(EventAttribute), false).FirstOrDefault())
                .Where(a => a != null)
                .ToDictionary(a => a.EventId, a => a.Level);
            Assert.That(levels, Is.EqualTo(new Dictionary<int, EventLevel>
            {
                [1] = EventLevel.Error, [2] = EventLevel.Warning, [3] = EventLevel.Informational, [4] = EventLevel.Verbose,
            }));
            foreach (LogLevel level in Enum.GetValues(typeof(LogLevel)))
            {
                Assert.That(StudioCredentialEventSource.ToEventLevel(level), Is.EqualTo(levels[(int)level]), level.ToString());
            }
        }

        [Test]
        public void AnEventListenerSeesOurEventsAtTheirLevelsWithoutSecrets()
        {
            if (OnMono)
            {
                Assert.Ignore("Mono's EventSource and EventListener are inert (IsEnabled is always false, EventListener's methods are empty): this test runs under CoreCLR");
            }
            var bearer = BearerFile.NewBearer();
            Bearer.Write(bearer);
            using (var listener = new Listener())
            {
                var credential = Credential();
                var token = credential.GetToken(For(Storage));
                credential.GetToken(For(Storage));
                Emulator.Fault("{\"status\": 401, \"body\": \"{\\\"error_description\\\": \\\"bearer " + bearer + " refused\\\"}\"}");
                Assert.Throws<BrokerAuthenticationFailedException>(() => credential.GetToken(For(Vault)));
                var events = listener.Events();
                Assert.That(events, Has.Some.StartsWith("Informational new client: tokens come from the credential broker"));
                Assert.That(events, Has.Some.StartsWith("Informational minted a fresh token for " + Storage));
                Assert.That(events.Any(l => l.StartsWith("Verbose ") && l.Contains("served from the cache")), string.Join("\n", events));
                Assert.That(events, Has.Some.StartsWith("Warning no token for " + Vault));
                foreach (var line in events)
                {
                    Assert.That(line, Is.Not.StringContaining(bearer).And.Not.StringContaining(token.Token));
                }
            }
        }

        [Test]
        public void GetTokenTakesNoCancellationTokenAndTheTokenIsABearer()
        {
            var credential = Credential();
            var context = For(Storage);
            Assert.That(credential.GetToken(context).TokenType, Is.EqualTo("Bearer"));
            Assert.That(credential.GetTokenAsync(context).AsTask().Result.TokenType, Is.EqualTo("Bearer"));
        }

        [Test]
        public void ABrokerAnswerIsARequestFailedExceptionWithItsStatus()
        {
            Emulator.Fault("{\"status\": 403}");
            var refused = Failure<BrokerAuthenticationFailedException>(Credential(), BrokerStatusCode.BrokerRejected);
            Assert.That(refused.InnerException, Is.InstanceOf<RequestFailedException>());
            Assert.That(((RequestFailedException)refused.InnerException).Status, Is.EqualTo(403));
            Assert.That(refused.InnerException.Message, Is.EqualTo(refused.Message));

            var unanswered = new StudioAzureCredBroker(new StudioAzureCredBrokerOptions { BrokerUrl = "http://127.0.0.1:1", CredentialFile = Bearer.Path });
            Own(unanswered);
            var unreachable = Failure<StudioCredentialBrokerException>(unanswered, BrokerStatusCode.BrokerUnreachable);
            Assert.That(unreachable.InnerException, Is.Null, "no answer, no RequestFailedException");
        }

        [Test]
        public void AMockUsesTheProtectedParameterlessConstructor()
        {
            var constructor = typeof(StudioAzureCredBroker).GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic, null, Type.EmptyTypes, null);
            Assert.That(constructor != null && constructor.IsFamily, "a protected parameterless constructor");
            using (var mock = new Mock())
            {
                Assert.That(mock.GetToken(For(Storage)).Token, Is.EqualTo("mocked"));
            }
            using (var bare = new Bare())
            {
                Assert.Throws<InvalidOperationException>(() => bare.GetToken(For(Storage)));
            }
        }

        private sealed class Mock : StudioAzureCredBroker
        {
            public override AccessToken GetToken(TokenRequestContext requestContext, System.Threading.CancellationToken cancellationToken = default) =>
                new AccessToken("mocked", DateTimeOffset.UtcNow.AddHours(1));
        }

        private sealed class Bare : StudioAzureCredBroker
        {
        }

        private sealed class Listener : EventListener
        {
            private readonly List<string> _events = new List<string>();

            internal List<string> Events()
            {
                lock (_events)
                {
                    return _events.ToList();
                }
            }

            protected override void OnEventSourceCreated(EventSource source)
            {
                if (source.Name == "VibeData-Studio-AzureCredBroker")
                {
                    EnableEvents(source, EventLevel.Verbose);
                }
            }

            protected override void OnEventWritten(EventWrittenEventArgs e)
            {
                lock (_events)
                {
                    _events.Add(e.Level + " " + e.Payload[0]);
                }
            }
        }
    }
}
