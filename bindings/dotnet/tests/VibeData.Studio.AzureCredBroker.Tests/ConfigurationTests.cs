using System;
using System.Net;
using System.Net.Sockets;
using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>Where the broker URL and bearer file come from, and settings refused before any request.</summary>
    [TestFixture]
    public class ConfigurationTests : BrokerTest
    {
        [Test]
        public void MissingBrokerUrlIsRefusedAtConstruction()
        {
            var error = Assert.Throws<StudioCredentialArgumentException>(
                () => new StudioAzureCredBroker(new StudioAzureCredBrokerOptions { CredentialFile = Bearer.Path }));
            Assert.That(error.Status, Is.EqualTo(BrokerStatusCode.Configuration));
            Assert.That(error.ParamName, Is.EqualTo("options"));
            StringAssert.Contains("VD_CREDENTIAL_BROKER_URL", error.Message);
            StringAssert.Contains("VD_AZ_TOKEN_URL", error.Message);
        }

        [Test]
        public void MissingCredentialFileIsRefusedAtConstruction()
        {
            var error = Assert.Throws<StudioCredentialArgumentException>(
                () => new StudioAzureCredBroker(new StudioAzureCredBrokerOptions { BrokerUrl = Emulator.BrokerUrl }));
            Assert.That(error.Status, Is.EqualTo(BrokerStatusCode.Configuration));
            StringAssert.Contains("VD_CREDENTIAL_FILE", error.Message);
        }

        [TestCase("VD_CREDENTIAL_BROKER_URL")]
        [TestCase("VD_AZ_TOKEN_URL")]
        public void DefaultConstructorReadsTheEnvironment(string brokerUrlVariable)
        {
            using (NativeEnvironment.Set(brokerUrlVariable, Emulator.BrokerUrl))
            using (NativeEnvironment.Set("VD_CREDENTIAL_FILE", Bearer.Path))
            {
                Own(new StudioAzureCredBroker()).GetToken(For(Storage), default);
            }
            Assert.That(Emulator.RequestsWith(Bearer), Has.Count.EqualTo(1));
        }

        [Test]
        public void NewerBrokerUrlVariableWinsOverTheOlder()
        {
            using (NativeEnvironment.Set("VD_CREDENTIAL_BROKER_URL", Emulator.BrokerUrl))
            using (NativeEnvironment.Set("VD_AZ_TOKEN_URL", ClosedPortUrl()))
            using (NativeEnvironment.Set("VD_CREDENTIAL_FILE", Bearer.Path))
            {
                Own(new StudioAzureCredBroker()).GetToken(For(Storage), default);
            }
            Assert.That(Emulator.RequestsWith(Bearer), Has.Count.EqualTo(1));
        }

        [Test]
        public void OptionsWinOverTheEnvironmentAndEmptyOptionsFallBackToIt()
        {
            using (NativeEnvironment.Set("VD_CREDENTIAL_BROKER_URL", ClosedPortUrl()))
            using (NativeEnvironment.Set("VD_CREDENTIAL_FILE", "/nonexistent/vd/credential"))
            {
                Credential().GetToken(For(Storage), default);
            }
            using (NativeEnvironment.Set("VD_CREDENTIAL_BROKER_URL", Emulator.BrokerUrl))
            {
                Credential(o => o.BrokerUrl = string.Empty).GetToken(For(Vault), default);
            }
            Assert.That(Emulator.RequestsWith(Bearer), Has.Count.EqualTo(2));
        }

        [Test]
        public void TrailingSlashOfTheBrokerUrlIsDropped()
        {
            Credential(o => o.BrokerUrl = Emulator.BrokerUrl + "/").GetToken(For(Storage), default);
            var request = Emulator.RequestsWith(Bearer)[0];
            Assert.That(request["path"], Is.EqualTo(new Uri(Emulator.BrokerUrl).AbsolutePath + "/token"));
        }

        [TestCase("ftp://broker.test/api")]
        [TestCase("not a url")]
        [TestCase("http://broker.test/api?x=1")]
        public void InvalidBrokerUrlIsRefused(string url)
        {
            var error = Assert.Throws<StudioCredentialArgumentException>(() => Credential(o => o.BrokerUrl = url));
            Assert.That(error.Status, Is.EqualTo(BrokerStatusCode.Configuration));
            StringAssert.Contains("http://", error.Message);
        }

        [TestCase(0.0, "0")]
        [TestCase(-1.0, "-1")]
        public void ZeroOrNegativeTimeoutIsRefusedByTheLibrary(double seconds, string shown)
        {
            var error = Assert.Throws<StudioCredentialArgumentException>(() => Credential(o => o.Timeout = TimeSpan.FromSeconds(seconds)));
            // The library validates every value when the client is created.
            Assert.That(error.Status, Is.EqualTo(BrokerStatusCode.InvalidArgument));
            Assert.That(error.ParamName, Is.EqualTo("options"));
            StringAssert.StartsWith($"the timeout option must be a positive number of seconds, not {shown};", error.Message);
        }

        [Test]
        public void NegativeConfigurationRevisionIsRefused()
        {
            var error = Assert.Throws<StudioCredentialArgumentException>(() => Credential(o =>
            {
                o.Lane = "user";
                o.ConfigurationRevision = -1;
            }));
            Assert.That(error.Status, Is.EqualTo(BrokerStatusCode.Configuration));
            StringAssert.Contains("non-negative", error.Message);
        }

        [Test]
        public void LaneNeedsARevision()
        {
            var error = Assert.Throws<StudioCredentialArgumentException>(() => Credential(o => o.Lane = "service"));
            Assert.That(error.Status, Is.EqualTo(BrokerStatusCode.Configuration));
            StringAssert.Contains("VD_CREDENTIAL_CONFIGURATION_REVISION", error.Message);
        }

        [Test]
        public void UnknownLaneIsRefused()
        {
            var error = Assert.Throws<StudioCredentialArgumentException>(() => Credential(o =>
            {
                o.Lane = "robot";
                o.ConfigurationRevision = 1;
            }));
            Assert.That(error.Status, Is.EqualTo(BrokerStatusCode.Configuration));
            StringAssert.Contains("'user' or 'service'", error.Message);
        }

        [Test]
        public void CacheVariableMustBeASwitch()
        {
            using (NativeEnvironment.Set("VD_BROKER_CACHE", "maybe"))
            {
                var error = Assert.Throws<StudioCredentialArgumentException>(() => Credential());
                Assert.That(error.Status, Is.EqualTo(BrokerStatusCode.Configuration));
                StringAssert.Contains("VD_BROKER_CACHE", error.Message);
            }
        }

        [Test]
        public void StringsThatCannotCrossTheBoundaryAreRefusedByName()
        {
            var nul = Assert.Throws<ArgumentException>(() => Credential(o => o.CredentialFile = Bearer.Path + "\0.old"));
            Assert.That(nul.ParamName, Is.EqualTo("StudioAzureCredBrokerOptions.CredentialFile"));
            StringAssert.Contains("NUL", nul.Message);

            var surrogate = Assert.Throws<ArgumentException>(() => Credential(o => o.AudienceMap["https://x.example"] = "a\ud800"));
            Assert.That(surrogate.ParamName, Is.EqualTo("StudioAzureCredBrokerOptions.AudienceMap"));
            StringAssert.Contains("surrogate", surrogate.Message);
        }

        /// <summary>A loopback URL where nothing listens.</summary>
        internal static string ClosedPortUrl()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return $"http://127.0.0.1:{port}/api/v1/credential-broker";
        }
    }
}
