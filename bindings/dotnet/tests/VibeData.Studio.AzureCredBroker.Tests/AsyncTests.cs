using System;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>
    /// GetTokenAsync never blocks its caller and lets go on cancellation. A
    /// held broker proves the native call is still in flight at each step.
    /// </summary>
    [TestFixture]
    public class AsyncTests : BrokerTest
    {
        [Test]
        public void ReturnsTheToken()
        {
            var token = Credential().GetTokenAsync(For(Vault), default).AsTask().GetAwaiter().GetResult();
            Assert.That(Jwt.Claims(token.Token)["aud"], Is.EqualTo("https://vault.azure.net"));
        }

        [Test]
        public void CallerIsNotBlockedWhileTheBrokerIsAsked()
        {
            using (var held = new HeldBroker())
            {
                var credential = Credential(o => o.BrokerUrl = held.BrokerUrl);

                var pending = credential.GetTokenAsync(For(Storage), default);

                Assert.That(held.WaitForRequest(), Is.True);
                Assert.That(pending.IsCompleted, Is.False, "the caller got its task back while the broker held the answer");
                held.Release();
                Assert.That(pending.AsTask().GetAwaiter().GetResult().Token, Is.EqualTo(HeldBroker.Token));
            }
        }

        [Test]
        public void CancellationEndsTheWaitWhileTheCallFinishesInTheBackground()
        {
            using (var held = new HeldBroker())
            using (var cancellation = new CancellationTokenSource())
            {
                var credential = Credential(o => o.BrokerUrl = held.BrokerUrl);
                var pending = credential.GetTokenAsync(For(Storage), cancellation.Token).AsTask();
                Assert.That(held.WaitForRequest(), Is.True);

                cancellation.Cancel();

                var error = Assert.Catch<OperationCanceledException>(() => pending.GetAwaiter().GetResult());
                Assert.That(error.CancellationToken, Is.EqualTo(cancellation.Token));

                // The abandoned call completes and fills the cache: the held broker
                // no longer listens, so only the cache can answer now.
                held.Release();
                Assert.That(WaitUntilCached(credential), Is.EqualTo(HeldBroker.Token));
            }
        }

        [Test]
        public void AlreadyCancelledTokenStartsNothing()
        {
            var credential = Credential();
            var pending = credential.GetTokenAsync(For(Storage), new CancellationToken(true));

            Assert.That(pending.IsCanceled, Is.True);
            Assert.Catch<OperationCanceledException>(() => credential.GetToken(For(Storage), new CancellationToken(true)));
            Assert.That(Emulator.RequestsWith(Bearer), Is.Empty);
        }

        [Test]
        public void FailuresSurfaceAsTheirOwnTypeWhenAwaited()
        {
            var credential = Credential();
            Assert.Throws<ScopeNotAllowedException>(
                () => credential.GetTokenAsync(For("https://graph.microsoft.com/.default"), default).AsTask().GetAwaiter().GetResult());
        }

        /// <summary>
        /// The cached token once the background call has stored it. Until then a
        /// call fails to reach the stopped broker, so keep asking (bounded).
        /// </summary>
        private static string WaitUntilCached(StudioAzureCredBroker credential)
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    return credential.GetToken(For(Storage), default).Token;
                }
                catch (StudioCredentialBrokerException e) when (e.Status == BrokerStatusCode.BrokerUnreachable && attempt < 20)
                {
                    Thread.Sleep(100);
                }
            }
        }
    }
}
