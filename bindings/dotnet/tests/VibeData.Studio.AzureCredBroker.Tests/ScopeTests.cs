using Azure.Core;
using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>Scope → broker audience, as the library maps it; unmapped scopes never reach the broker.</summary>
    [TestFixture]
    public class ScopeTests : BrokerTest
    {
        [TestCase("https://database.windows.net/.default", "sql", "https://database.windows.net/")]
        [TestCase("https://storage.azure.com/.default", "storage", "https://storage.azure.com")]
        [TestCase("https://vault.azure.net/.default", "vault", "https://vault.azure.net")]
        [TestCase("https://api.fabric.microsoft.com/.default", "fabric_api", "https://api.fabric.microsoft.com")]
        [TestCase("https://analysis.windows.net/powerbi/api/.default", "fabric_cli", "https://analysis.windows.net/powerbi/api")]
        [TestCase("https://management.azure.com/.default", "arm", "https://management.azure.com/")]
        [TestCase("https://vault.azure.net/", "vault", "https://vault.azure.net")]
        [TestCase("https://vault.azure.net", "vault", "https://vault.azure.net")]
        public void DefaultResourcesMapToTheirAudience(string scope, string audience, string resource)
        {
            var token = Credential().GetToken(For(scope), default);

            var requests = Emulator.RequestsWith(Bearer);
            Assert.That(requests, Has.Count.EqualTo(1));
            Assert.That(requests[0]["audience"], Is.EqualTo(audience));
            var claims = Jwt.Claims(token.Token);
            Assert.That(claims["aud"], Is.EqualTo(resource));
            Assert.That(claims["vd_bearer"], Is.EqualTo(Bearer.Claim));
        }

        [Test]
        public void OnlyTheFirstScopeIsUsed()
        {
            var token = Credential().GetToken(new TokenRequestContext(new[] { Storage, Vault }), default);
            Assert.That(Jwt.Claims(token.Token)["vd_audience"], Is.EqualTo("storage"));
        }

        [Test]
        public void UnmappedScopeIsRefusedWithoutContactingTheBroker()
        {
            var credential = Credential();
            var error = Assert.Throws<ScopeNotAllowedException>(() => credential.GetToken(For("https://graph.microsoft.com/.default"), default));

            Assert.That(error, Is.InstanceOf<System.ArgumentException>());
            Assert.That(error.Status, Is.EqualTo(BrokerStatusCode.ScopeNotAllowed));
            Assert.That(error.ParamName, Is.EqualTo("requestContext"));
            StringAssert.Contains("https://graph.microsoft.com/.default", error.Message);
            StringAssert.Contains("\"https://vault.azure.net\"", error.Message);
            Assert.That(Emulator.RequestsWith(Bearer), Is.Empty);
        }

        [Test]
        public void LookupIsExact()
        {
            var credential = Credential();
            Assert.Throws<ScopeNotAllowedException>(() => credential.GetToken(For("https://VAULT.azure.net/.default"), default));
        }

        [Test]
        public void NoScopeIsAnArgumentError()
        {
            var credential = Credential();
            var error = Assert.Throws<StudioCredentialArgumentException>(
                () => credential.GetToken(new TokenRequestContext(new string[0]), default));
            Assert.That(error.Status, Is.EqualTo(BrokerStatusCode.InvalidArgument));
            StringAssert.Contains("no scope", error.Message);
            Assert.That(Emulator.RequestsWith(Bearer), Is.Empty);
        }

        [Test]
        public void AudienceMapOverridesAddsAndRemoves()
        {
            var credential = Credential(o =>
            {
                o.AudienceMap["https://vault.azure.net"] = "key_vault_data_plane";
                o.AudienceMap["https://custom.example/.default"] = "custom";
                o.AudienceMap["https://management.azure.com"] = null;
            });

            credential.GetToken(For(Vault), default);
            credential.GetToken(For("https://custom.example/.default"), default);
            Assert.Throws<ScopeNotAllowedException>(() => credential.GetToken(For("https://management.azure.com/.default"), default));
            credential.GetToken(For(Storage), default);

            var audiences = Emulator.RequestsWith(Bearer).ConvertAll(r => r["audience"]);
            Assert.That(audiences, Is.EqualTo(new object[] { "key_vault_data_plane", "custom", "storage" }));
        }
    }
}
