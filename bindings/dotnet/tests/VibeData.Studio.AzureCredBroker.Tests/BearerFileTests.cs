using System.IO;
using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>The intent bearer is read from its file on every call; a bad file never reaches the broker.</summary>
    [TestFixture]
    public class BearerFileTests : BrokerTest
    {
        [Test]
        public void RotatedBearerIsReadOnTheNextCall()
        {
            var credential = Credential();
            var before = Bearer.Claim;
            var first = credential.GetToken(For(Storage), default);
            Bearer.Write(BearerFile.NewBearer());
            var second = credential.GetToken(For(Storage), default);

            Assert.That(Jwt.Claims(first.Token)["vd_bearer"], Is.EqualTo(before));
            Assert.That(Jwt.Claims(second.Token)["vd_bearer"], Is.EqualTo(Bearer.Claim));
            Assert.That(Bearer.Claim, Is.Not.EqualTo(before));
            Assert.That(Emulator.RequestsWith(Bearer), Has.Count.EqualTo(1));
        }

        [Test]
        public void SurroundingWhitespaceIsStripped()
        {
            Bearer.Write("  " + BearerFile.NewBearer() + " \r\n");
            Credential().GetToken(For(Storage), default);

            var requests = Emulator.RequestsWith(Bearer);
            Assert.That(requests, Has.Count.EqualTo(1));
            Assert.That(requests[0]["authorization"], Is.EqualTo("bearer"));
        }

        [Test]
        public void MissingFileNamesThePathAndAsksAboutTheSession()
        {
            var missing = Path.Combine(Path.GetDirectoryName(Bearer.Path), "gone");
            var error = Failure<BrokerAuthenticationFailedException>(Credential(o => o.CredentialFile = missing), BrokerStatusCode.CredentialUnreadable);
            StringAssert.Contains(missing, error.Message);
            StringAssert.Contains("Is the Studio intent session active?", error.Message);
            Assert.That(Emulator.Requests(), Is.Empty);
        }

        [Test]
        public void BlankFileIsRefused()
        {
            Bearer.Write(" \n\t");
            var error = Failure<BrokerAuthenticationFailedException>(Credential(), BrokerStatusCode.CredentialBlank);
            StringAssert.Contains(Bearer.Path, error.Message);
            Assert.That(Emulator.Requests(), Is.Empty);
        }

        [Test]
        public void FileWithTwoBearersIsRefusedWithoutEchoingThem()
        {
            var first = BearerFile.NewBearer();
            Bearer.Write(first + "\n" + BearerFile.NewBearer());
            var error = Failure<BrokerAuthenticationFailedException>(Credential(), BrokerStatusCode.CredentialUnreadable);
            StringAssert.DoesNotContain(first, error.Message);
            Assert.That(Emulator.Requests(), Is.Empty);
        }

        [Test]
        public void RefusedBearerIsAnAuthenticationFailureWithoutTheBearer()
        {
            var bearer = "not_an_intent_bearer_" + System.Guid.NewGuid().ToString("N");
            Bearer.Write(bearer);
            var error = Failure<BrokerAuthenticationFailedException>(Credential(), BrokerStatusCode.BrokerRejected);
            StringAssert.Contains("(401)", error.Message);
            StringAssert.Contains("expired, revoked or out of scope", error.Message);
            StringAssert.DoesNotContain(bearer, error.Message);
            StringAssert.DoesNotContain(bearer, error.ToString());
        }
    }
}
