using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>
    /// A token larger than any buffer a binding would guess arrives whole: the
    /// library hands out a token it owns, so nothing is sized or asked twice.
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
            Assert.That(Emulator.RequestsWith(Bearer), Has.Count.EqualTo(1));
        }

        private static string TokenAnswer(string token)
        {
            return $"{{\"status\": 200, \"body\": {Json.Quote("{\"access_token\": \"" + token + "\", \"expires_in\": 3600}")}}}";
        }
    }
}
