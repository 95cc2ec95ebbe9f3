using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Interop;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>
    /// The binding against the header itself: every status of
    /// <c>enum vd_broker_status</c> has its enum member, its native name and
    /// its exception. A status added to the header fails here until the
    /// binding maps it. (Each status a real broker, file or argument can cause
    /// is also caused for real by the other fixtures; PANIC cannot be.)
    /// </summary>
    [TestFixture]
    public class StatusCodeTests : BrokerTest
    {
        private static readonly Dictionary<string, Type> ExceptionOf = new Dictionary<string, Type>
        {
            ["VD_BROKER_OK"] = null,
            ["VD_BROKER_ERR_INVALID_ARGUMENT"] = typeof(StudioCredentialArgumentException),
            ["VD_BROKER_ERR_INVALID_UTF8"] = typeof(StudioCredentialArgumentException),
            ["VD_BROKER_ERR_BUFFER_TOO_SMALL"] = typeof(StudioCredentialBrokerException),
            ["VD_BROKER_ERR_CONFIGURATION"] = typeof(StudioCredentialArgumentException),
            ["VD_BROKER_ERR_SCOPE_NOT_ALLOWED"] = typeof(ScopeNotAllowedException),
            ["VD_BROKER_ERR_CREDENTIAL_UNREADABLE"] = typeof(StudioCredentialBrokerException),
            ["VD_BROKER_ERR_CREDENTIAL_BLANK"] = typeof(StudioCredentialBrokerException),
            ["VD_BROKER_ERR_BROKER_UNREACHABLE"] = typeof(StudioCredentialBrokerException),
            ["VD_BROKER_ERR_BROKER_REJECTED"] = typeof(BrokerAuthenticationFailedException),
            ["VD_BROKER_ERR_BROKER_STATUS"] = typeof(StudioCredentialBrokerException),
            ["VD_BROKER_ERR_BROKER_RESPONSE"] = typeof(StudioCredentialBrokerException),
            ["VD_BROKER_ERR_TIMEOUT"] = typeof(StudioCredentialBrokerException),
            ["VD_BROKER_ERR_ACCESS_HELPER_REFUSED"] = typeof(BrokerAuthenticationFailedException),
            ["VD_BROKER_ERR_PANIC"] = typeof(StudioCredentialBrokerException),
        };

        [Test]
        public void EnumMatchesTheHeaderNameForNameAndValueForValue()
        {
            var header = HeaderStatuses();
            Assert.That(header, Is.Not.Empty);
            foreach (var status in header)
            {
                Assert.That(Enum.IsDefined(typeof(BrokerStatusCode), status.Value), Is.True, $"{status.Key} = {status.Value} has no BrokerStatusCode member");
                Assert.That(((BrokerStatusCode)status.Value).ToString(), Is.EqualTo(MemberName(status.Key)), status.Key);
            }
            Assert.That(Enum.GetValues(typeof(BrokerStatusCode)).Cast<BrokerStatusCode>().Select(v => (int)v), Is.EquivalentTo(header.Values), "no member without a header status");
        }

        [Test]
        public void NativeNamesMatchTheHeader()
        {
            foreach (var status in HeaderStatuses())
            {
                Assert.That(StatusErrors.StatusName(status.Value), Is.EqualTo(status.Key));
            }
            Assert.That(StatusErrors.StatusName(9999), Is.EqualTo("VD_BROKER_UNKNOWN_STATUS"));
        }

        [Test]
        public void EveryStatusMapsToItsException()
        {
            var header = HeaderStatuses();
            Assert.That(ExceptionOf.Keys, Is.EquivalentTo(header.Keys), "the table below names every header status");
            foreach (var status in header)
            {
                var error = StatusErrors.ToException(status.Value, "the library's message", "requestContext");
                var expected = ExceptionOf[status.Key];
                if (expected == null)
                {
                    Assert.That(error, Is.Null, status.Key);
                    continue;
                }
                Assert.That(error.GetType(), Is.EqualTo(expected), status.Key);
                StringAssert.StartsWith("the library's message", error.Message, status.Key);
                Assert.That(StatusOf(error), Is.EqualTo((BrokerStatusCode)status.Value), status.Key);
                if (error is ArgumentException argument)
                {
                    Assert.That(argument.ParamName, Is.EqualTo("requestContext"), status.Key);
                }
            }
        }

        [Test]
        public void UnknownStatusFromANewerLibraryIsABrokerFailure()
        {
            var error = StatusErrors.ToException(99, string.Empty, "requestContext");
            Assert.That(error.GetType(), Is.EqualTo(typeof(StudioCredentialBrokerException)));
            Assert.That(StatusOf(error), Is.EqualTo((BrokerStatusCode)99));
            StringAssert.Contains("VD_BROKER_UNKNOWN_STATUS", error.Message);
        }

        [Test]
        public void InvalidUtf8FromTheLibraryItself()
        {
            // .NET strings always encode to valid UTF-8, so raw bytes are sent
            // through the interop declarations to make the library refuse them.
            using (var options = NativeOptions.From(Options()))
            {
                var error = new byte[NativeMethods.ErrorBufferSize];
                Assert.That(NativeMethods.vd_broker_client_new(options, out var client, error, (UIntPtr)error.Length), Is.EqualTo(0));
                using (client)
                {
                    var buffer = new byte[NativeMethods.TokenBufferSize];
                    var status = NativeMethods.vd_broker_client_get_token(
                        client, new byte[] { 0xff, 0xfe, 0 }, null, 0, buffer, (UIntPtr)buffer.Length,
                        out _, out _, out _, out var httpStatus, error, (UIntPtr)error.Length);
                    Assert.That(httpStatus, Is.EqualTo(0), "refused input is not an HTTP answer");

                    var mapped = StatusErrors.ToException(status, Utf8.DecodeTerminated(error), "requestContext");
                    Assert.That(mapped, Is.TypeOf<StudioCredentialArgumentException>());
                    Assert.That(StatusOf(mapped), Is.EqualTo(BrokerStatusCode.InvalidUtf8));
                    StringAssert.Contains("scope is not valid UTF-8", mapped.Message);
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

        /// <summary>Name → value of every constant in the header's <c>enum vd_broker_status</c>.</summary>
        private static Dictionary<string, int> HeaderStatuses()
        {
            var header = File.ReadAllText(RepositoryPaths.Header);
            var body = Regex.Match(header, @"enum vd_broker_status\b[^{]*\{(?<body>[^}]*)\}").Groups["body"].Value;
            return Regex.Matches(body, @"^\s*(VD_BROKER_[A-Z0-9_]+)\s*=\s*(\d+)\s*,", RegexOptions.Multiline)
                .Cast<Match>()
                .ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
        }

        /// <summary><c>VD_BROKER_ERR_INVALID_UTF8</c> → <c>InvalidUtf8</c>.</summary>
        private static string MemberName(string constant)
        {
            var words = Regex.Replace(constant, "^VD_BROKER_(ERR_)?", string.Empty).Split('_');
            return string.Concat(words.Select(w => w.Substring(0, 1) + w.Substring(1).ToLowerInvariant()));
        }

        private static BrokerStatusCode StatusOf(Exception error)
        {
            var broker = error as StudioCredentialBrokerException;
            return broker != null ? broker.Status : ((StudioCredentialArgumentException)error).Status;
        }
    }
}
