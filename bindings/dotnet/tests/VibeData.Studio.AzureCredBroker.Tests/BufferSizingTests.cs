using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>
    /// Tokens larger than the first buffer: the binding asks once more with the
    /// size the library reports, and never hands back a truncated token.
    /// </summary>
    [TestFixture]
    public class BufferSizingTests : BrokerTest
    {
        [Test]
        public void TokenLargerThanTheFirstBufferArrivesWhole()
        {
            var large = new string('a', 20000);
            Emulator.Fault(TokenAnswer(large));

            var token = Credential().GetToken(For(Storage), default);

            Assert.That(token.Token, Is.EqualTo(large));
            Assert.That(Emulator.RequestsWith(Bearer), Has.Count.EqualTo(1), "the second call is served from the cache");
        }

        [Test]
        public void TokenThatOutgrowsTheReportedSizeIsAnError()
        {
            // Without the cache the second call mints again, and gets a larger token.
            Emulator.Fault(TokenAnswer(new string('a', 20000)));
            Emulator.Fault(TokenAnswer(new string('b', 40000)));
            var error = Failure<StudioCredentialBrokerException>(Credential(o => o.CacheEnabled = false), BrokerStatusCode.BufferTooSmall);
            StringAssert.Contains("40001 bytes", error.Message);
            Assert.That(Emulator.RequestsWith(Bearer), Has.Count.EqualTo(2));
        }

        private static string TokenAnswer(string token)
        {
            return $"{{\"status\": 200, \"body\": {Json.Quote("{\"access_token\": \"" + token + "\", \"expires_in\": 3600}")}}}";
        }
    }
}
