using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>The process-wide token cache as seen through the credential, and claims passed through.</summary>
    [TestFixture]
    public class CacheAndClaimsTests : BrokerTest
    {
        [Test]
        public void RepeatedRequestIsServedFromTheCache()
        {
            var credential = Credential();
            var first = credential.GetToken(For(Storage), default);
            var second = credential.GetToken(For(Storage), default);

            Assert.That(second.Token, Is.EqualTo(first.Token));
            Assert.That(Emulator.RequestsWith(Bearer), Has.Count.EqualTo(1));
        }

        [Test]
        public void CredentialsInOneProcessShareTheCache()
        {
            var first = Credential().GetToken(For(Storage), default);
            var second = Credential().GetToken(For(Storage), default);

            Assert.That(second.Token, Is.EqualTo(first.Token));
            Assert.That(Emulator.RequestsWith(Bearer), Has.Count.EqualTo(1));
        }

        [Test]
        public void CacheCanBeTurnedOffByOption()
        {
            var credential = Credential(o => o.CacheEnabled = false);
            credential.GetToken(For(Storage), default);
            credential.GetToken(For(Storage), default);
            Assert.That(Emulator.RequestsWith(Bearer), Has.Count.EqualTo(2));
        }

        [Test]
        public void CacheCanBeTurnedOffByEnvironment()
        {
            using (NativeEnvironment.Set("VD_BROKER_CACHE", "0"))
            {
                var credential = Credential();
                credential.GetToken(For(Storage), default);
                credential.GetToken(For(Storage), default);
            }
            Assert.That(Emulator.RequestsWith(Bearer), Has.Count.EqualTo(2));
        }

        [Test]
        public void ClaimsSkipTheCacheAndReplaceItsToken()
        {
            var credential = Credential();
            var cached = credential.GetToken(For(Storage), default);
            var challenged = credential.GetToken(For(Storage, claims: "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"1\"}}}"), default);
            var after = credential.GetToken(For(Storage), default);

            Assert.That(challenged.Token, Is.Not.EqualTo(cached.Token));
            Assert.That(after.Token, Is.EqualTo(challenged.Token));
            Assert.That(Emulator.RequestsWith(Bearer), Has.Count.EqualTo(2));
        }
    }
}
