using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>Newer brokers: lane, pinned revision and the audience's scope travel in every request.</summary>
    [TestFixture]
    public class LaneTests : BrokerTest
    {
        [Test]
        public void LaneAndRevisionFromOptions()
        {
            var token = Credential(o =>
            {
                o.Lane = "service";
                o.ConfigurationRevision = 7;
            }).GetToken(For(Storage), default);

            var body = (System.Collections.Generic.Dictionary<string, object>)Emulator.RequestsWith(Bearer)[0]["body"];
            Assert.That(body["audience"], Is.EqualTo("storage"));
            Assert.That(body["lane"], Is.EqualTo("service"));
            Assert.That(body["configurationRevision"], Is.EqualTo(7));
            Assert.That(body["scope"], Is.EqualTo("data_platform"));
            Assert.That(Jwt.Claims(token.Token)["vd_lane"], Is.EqualTo("service"));
        }

        [Test]
        public void SecretStoreAudiencesAskForTheSecretStoreScope()
        {
            Credential(o =>
            {
                o.Lane = "user";
                o.ConfigurationRevision = 0;
                o.AudienceMap["https://vault.azure.net"] = "key_vault_data_plane";
            }).GetToken(For(Vault), default);

            var body = (System.Collections.Generic.Dictionary<string, object>)Emulator.RequestsWith(Bearer)[0]["body"];
            Assert.That(body["scope"], Is.EqualTo("secret_store"));
            Assert.That(body["configurationRevision"], Is.EqualTo(0));
        }

        [Test]
        public void LaneAndRevisionFromTheEnvironment()
        {
            using (NativeEnvironment.Set("VD_CREDENTIAL_LANE", "user"))
            using (NativeEnvironment.Set("VD_CREDENTIAL_CONFIGURATION_REVISION", "3"))
            {
                Credential().GetToken(For(Storage), default);
            }
            var body = (System.Collections.Generic.Dictionary<string, object>)Emulator.RequestsWith(Bearer)[0]["body"];
            Assert.That(body["lane"], Is.EqualTo("user"));
            Assert.That(body["configurationRevision"], Is.EqualTo(3));
        }
    }
}
