using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>
    /// A real consumer: Azurite's Blob service checks the OAuth token the
    /// credential returns (issuer, audience, lifetime) over HTTPS. The Azure
    /// SDK for .NET is not installable on the Mono test machine, so the Blob
    /// REST calls are made directly with the bearer, as BlobServiceClient would.
    /// </summary>
    [TestFixture]
    public class AzuriteTests : BrokerTest
    {
        private Azurite _azurite;

#if NUNIT3
        [OneTimeSetUp]
#else
        [TestFixtureSetUp]
#endif
        public void StartAzurite()
        {
            _azurite = Azurite.Start();
        }

#if NUNIT3
        [OneTimeTearDown]
#else
        [TestFixtureTearDown]
#endif
        public void StopAzurite()
        {
            _azurite?.Dispose();
        }

        [Test]
        public void StorageTokenCreatesAContainerAndRoundTripsABlob()
        {
            var token = Credential().GetToken(For(Storage), default).Token;

            Assert.That(_azurite.Send("PUT", "/dotnet-binding?restype=container", token).Item1, Is.EqualTo(201));
            Assert.That(_azurite.Send("PUT", "/dotnet-binding/hello.txt", token, "hello from .NET", "BlockBlob").Item1, Is.EqualTo(201));
            var read = _azurite.Send("GET", "/dotnet-binding/hello.txt", token);
            Assert.That(read.Item1, Is.EqualTo(200));
            Assert.That(read.Item2, Is.EqualTo("hello from .NET"));
        }

        [Test]
        public void TokenForAnotherAudienceIsRefused()
        {
            var token = Credential().GetToken(For(Vault), default).Token;
            var answer = _azurite.Send("PUT", "/dotnet-refused?restype=container", token);
            Assert.That(answer.Item1, Is.EqualTo(401).Or.EqualTo(403), answer.Item2);
        }
    }
}
