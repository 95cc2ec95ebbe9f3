using System.Collections.Generic;
using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>
    /// Minting through the runtime-access helper when its socket exists. The
    /// cache is off: helper tokens are keyed by the socket, not by a bearer.
    /// </summary>
    [TestFixture]
    public class AccessHelperTests : BrokerTest
    {
        [Test]
        public void HelperMintsWithoutBearerOrBrokerUrl()
        {
            var credential = Own(new StudioAzureCredBroker(new StudioAzureCredBrokerOptions
            {
                RuntimeAccessSocket = Emulator.HelperSocket,
                CacheEnabled = false,
            }));
            var token = credential.GetToken(For(Vault), default);

            Assert.That(Jwt.Claims(token.Token)["aud"], Is.EqualTo("https://vault.azure.net"));
            var requests = Emulator.HelperRequests();
            Assert.That(requests, Has.Count.EqualTo(1));
            Assert.That(requests[0]["authorization"], Is.EqualTo("none"));
            Assert.That(requests[0]["body"], Is.EqualTo(new Dictionary<string, object> { ["scope"] = "data_platform", ["audience"] = "vault" }));
        }

        [Test]
        public void HelperSocketFromTheEnvironment()
        {
            using (NativeEnvironment.Set("VD_RUNTIME_ACCESS_SOCKET", Emulator.HelperSocket))
            using (NativeEnvironment.Set("VD_BROKER_CACHE", "off"))
            {
                Own(new StudioAzureCredBroker()).GetToken(For(Storage), default);
            }
            Assert.That(Emulator.HelperRequests(), Has.Count.EqualTo(1));
        }

        [Test]
        public void HelperRefusalIsAnAuthenticationFailure()
        {
            Emulator.Fault("{\"status\": 403, \"headers\": {\"x-runtime-access-error\": \"grant_missing\"}, " +
                           "\"body\": \"{\\\"code\\\": \\\"grant_missing\\\", \\\"message\\\": \\\"no grant for this audience\\\"}\"}");
            var credential = Own(new StudioAzureCredBroker(new StudioAzureCredBrokerOptions
            {
                RuntimeAccessSocket = Emulator.HelperSocket,
                CacheEnabled = false,
            }));

            var error = Failure<BrokerAuthenticationFailedException>(credential, BrokerStatusCode.AccessHelperRefused);
            StringAssert.Contains("grant_missing", error.Message);
            StringAssert.Contains("no grant for this audience", error.Message);
        }
    }
}
