using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Interop;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>
    /// The status enum (generated from the header by tools/gen-bindings.py,
    /// CI failing when it is stale), the library's names and classification
    /// of each status, and the exception each becomes. (Each status a real
    /// broker, file or argument can cause is also caused for real by the other
    /// fixtures and tests/scenarios.json; PANIC cannot be.)
    /// </summary>
    [TestFixture]
    public class StatusCodeTests : BrokerTest
    {
        [Test]
        public void EveryMemberIsNamedByTheLibraryAsTheHeaderNamesIt()
        {
            foreach (var status in Enum.GetValues(typeof(BrokerStatusCode)).Cast<BrokerStatusCode>())
            {
                var words = Regex.Replace(status.NativeName(), "^VD_BROKER_(ERR_)?", string.Empty).Split('_');
                Assert.That(string.Concat(words.Select(w => w.Substring(0, 1) + w.Substring(1).ToLowerInvariant())), Is.EqualTo(status.ToString()));
            }
            Assert.That(((BrokerStatusCode)9999).NativeName(), Is.EqualTo("VD_BROKER_UNKNOWN_STATUS"));
        }

        [Test]
        public void ExceptionsFollowTheLibrarysClassification()
        {
            Assert.That(BrokerStatusCode.Timeout.IsRetriable(), Is.True);
            Assert.That(BrokerStatusCode.BrokerRejected.IsRetriable(), Is.False);
            Assert.That(BrokerStatusCode.CredentialBlank.IsAuthenticationFailure(), Is.True);
            Assert.That(BrokerStatusCode.Configuration.IsConfigurationError(), Is.True);
            Assert.That(BrokerStatusCode.InvalidUtf8.IsCallerError(), Is.True);
            Assert.That(((BrokerStatusCode)99).IsRetriable() || ((BrokerStatusCode)99).IsCallerError(), Is.False, "a status unknown to the library has no class");
        }

        [Test]
        public void InvalidUtf8FromTheLibraryItself()
        {
            // .NET strings always encode to valid UTF-8, so raw bytes are sent
            // through the interop declarations to make the library refuse them.
            using (var options = NativeOptions.From(Options()))
            {
                Assert.That(NativeMethods.vd_broker_client_create(options, out var client, out var none), Is.EqualTo(0));
                using (client)
                using (none)
                {
                    var status = NativeMethods.vd_broker_client_fetch_token(client, new byte[] { 0xff, 0xfe, 0 }, null, 0, out var token, out var error);
                    token.Dispose();
                    Assert.That(status, Is.EqualTo((int)BrokerStatusCode.InvalidUtf8));
                    var mapped = StatusErrors.ToException(error, "requestContext");
                    Assert.That(mapped, Is.TypeOf<StudioCredentialArgumentException>());
                    StringAssert.Contains("scope is not valid UTF-8", mapped.Message);
                    Assert.That(((ArgumentException)mapped).ParamName, Is.EqualTo("requestContext"));
                }
            }
        }

        [Test]
        public void NativeVersionIsTheCratesVersion()
        {
            var manifest = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Cargo.toml"));
            var version = Regex.Match(manifest, "^version = \"([^\"]+)\"", RegexOptions.Multiline).Groups[1].Value;
            Assert.That(StudioAzureCredBroker.NativeLibraryVersion, Is.EqualTo(version));
        }
    }
}
