using System;
using System.Collections.Generic;
using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>What is sent to the broker, and every kind of answer it can give.</summary>
    [TestFixture]
    public class BrokerAnswerTests : BrokerTest
    {
        [Test]
        public void RequestIsAJsonPostWithTheBearer()
        {
            Credential().GetToken(For(Storage), default);

            var request = Emulator.RequestsWith(Bearer)[0];
            Assert.That(request["method"], Is.EqualTo("POST"));
            Assert.That(request["path"], Is.EqualTo(new Uri(Emulator.BrokerUrl).AbsolutePath + "/token"));
            StringAssert.StartsWith("application/json", (string)request["content_type"]);
            Assert.That(request["authorization"], Is.EqualTo("bearer"));
            Assert.That(request["body"], Is.EqualTo(new Dictionary<string, object> { ["audience"] = "storage" }));
        }

        [Test]
        public void ExpiryAndRefreshFollowTheAnswer()
        {
            var token = Credential().GetToken(For(Storage), default);

            var claims = Jwt.Claims(token.Token);
            AssertNear(token.ExpiresOn, (double)claims["exp"]);
            Assert.That(token.RefreshOn, Is.EqualTo(token.ExpiresOn.AddMinutes(-5)), "an hour-long token is refreshed five minutes before expiry");
        }

        [Test]
        public void ExpiresInAsAStringIsAccepted()
        {
            Emulator.Settings("{\"expires_in\": 1800, \"expires_in_as_string\": true}");
            var token = Credential().GetToken(For(Storage), default);
            AssertNear(token.ExpiresOn, (double)Jwt.Claims(token.Token)["exp"]);
        }

        [Test]
        public void MissingExpiresInMeansAnHour()
        {
            Emulator.Settings("{\"expires_in\": 600, \"omit_expires_in\": true}");
            var token = Credential().GetToken(For(Storage), default);
            AssertNear(token.ExpiresOn, (double)Jwt.Claims(token.Token)["iat"] + 3600);
        }

        [Test]
        public void BrokerRefreshHintBecomesRefreshOn()
        {
            Emulator.Settings("{\"refresh_in\": 600}");
            var token = Credential().GetToken(For(Storage), default);
            AssertNear(token.RefreshOn.Value, (double)Jwt.Claims(token.Token)["iat"] + 600);
        }

        [Test]
        public void ExpiryBeyondDateTimeOffsetIsClamped()
        {
            Emulator.Settings("{\"expires_in\": 1000000000000000}");
            var token = Credential().GetToken(For(Storage), default);
            Assert.That(token.ExpiresOn, Is.EqualTo(DateTimeOffset.MaxValue));
        }

        [TestCase(401)]
        [TestCase(403)]
        public void RefusalIsAnAuthenticationFailure(int status)
        {
            Emulator.Fault($"{{\"status\": {status}}}");
            var error = Failure<BrokerAuthenticationFailedException>(Credential(), BrokerStatusCode.BrokerRejected);
            StringAssert.Contains($"({status})", error.Message);
            Assert.That(error.HttpStatus, Is.EqualTo(status));
        }

        [Test]
        public void OtherStatusCarriesTheStatusAndTheBrokersExplanation()
        {
            Emulator.Fault("{\"status\": 404, \"body\": \"{\\\"error_description\\\": \\\"no such broker route\\\"}\"}");
            var error = Failure<StudioCredentialBrokerException>(Credential(), BrokerStatusCode.BrokerStatus);
            StringAssert.Contains("404", error.Message);
            Assert.That(error.HttpStatus, Is.EqualTo(404));
            StringAssert.Contains("no such broker route", error.Message);
        }

        [Test]
        public void PassingUnavailabilityIsRetried()
        {
            Emulator.Fault("{\"status\": 503}");
            var token = Credential().GetToken(For(Storage), default);

            Assert.That(Jwt.Claims(token.Token)["vd_audience"], Is.EqualTo("storage"));
            Assert.That(Emulator.RequestsWith(Bearer), Has.Count.EqualTo(2));
        }

        [Test]
        public void LastingUnavailabilityIsABrokerStatusFailure()
        {
            Emulator.Fault("{\"status\": 503, \"times\": 4}");
            var error = Failure<StudioCredentialBrokerException>(Credential(), BrokerStatusCode.BrokerStatus);
            StringAssert.Contains("503", error.Message);
            Assert.That(error.HttpStatus, Is.EqualTo(503));
        }

        [TestCase("not json")]
        [TestCase("{\"expires_in\": 3600}")]
        [TestCase("{\"access_token\": \"\"}")]
        [TestCase("{\"access_token\": \"tok\", \"expires_in\": \"soon\"}")]
        public void UnusableSuccessIsABrokerResponseFailure(string body)
        {
            Emulator.Fault($"{{\"status\": 200, \"body\": {Json.Quote(body)}}}");
            var error = Failure<StudioCredentialBrokerException>(Credential(), BrokerStatusCode.BrokerResponse);
            Assert.That(error.HttpStatus, Is.Null, "a malformed success is not an HTTP failure");
        }

        [Test]
        public void UnusableTokenIsNotEchoed()
        {
            Emulator.Fault($"{{\"status\": 200, \"body\": {Json.Quote("{\"access_token\": \"SECRET-part one\"}")}}}");
            var error = Failure<StudioCredentialBrokerException>(Credential(), BrokerStatusCode.BrokerResponse);
            StringAssert.DoesNotContain("SECRET", error.ToString());
        }

        [Test]
        public void OversizedAnswerIsRefused()
        {
            Emulator.Fault("{\"action\": \"huge\", \"huge_bytes\": 2097152}");
            var error = Failure<StudioCredentialBrokerException>(Credential(), BrokerStatusCode.BrokerResponse);
            Assert.That(error.HttpStatus, Is.Null, "a malformed success is not an HTTP failure");
        }

        [TestCase("close")]
        [TestCase("reset")]
        [TestCase("garbage")]
        public void BrokenConnectionsAreUnreachableOnceRetriesRunOut(string action)
        {
            Emulator.Fault($"{{\"action\": \"{action}\", \"times\": 4}}");
            var error = Failure<StudioCredentialBrokerException>(Credential(), BrokerStatusCode.BrokerUnreachable);
            StringAssert.Contains("could not reach", error.Message);
        }

        [Test]
        public void NobodyListeningIsUnreachable()
        {
            var error = Failure<StudioCredentialBrokerException>(Credential(o => o.BrokerUrl = ConfigurationTests.ClosedPortUrl()), BrokerStatusCode.BrokerUnreachable);
            StringAssert.Contains("could not reach the credential broker at", error.Message);
            StringAssert.Contains("is Studio running?", error.Message);
        }

        [Test]
        public void SlowBrokerRunsIntoTheTimeout()
        {
            using (var held = new HeldBroker())
            {
                var credential = Credential(o =>
                {
                    o.BrokerUrl = held.BrokerUrl;
                    o.Timeout = TimeSpan.FromMilliseconds(300);
                });
                Failure<StudioCredentialBrokerException>(credential, BrokerStatusCode.Timeout);
                Assert.That(held.WaitForRequest(), Is.True, "the broker saw the request it never answered in time");
            }
        }

        /// <summary>Within two seconds of a Unix time: the library and the emulator each read the clock once.</summary>
        private static void AssertNear(DateTimeOffset actual, double unixSeconds)
        {
            Assert.That(actual.ToUnixTimeSeconds(), Is.InRange(unixSeconds - 2, unixSeconds + 2));
        }
    }
}
