using System;
using System.Threading.Tasks;
using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>Disposing frees the native client, but never under a call that uses it.</summary>
    [TestFixture]
    public class DisposeTests : BrokerTest
    {
        [Test]
        public void CallsAfterDisposeAreRefused()
        {
            var credential = new StudioAzureCredBroker(Options());
            credential.Dispose();
            credential.Dispose();

            Assert.Throws<ObjectDisposedException>(() => credential.GetToken(For(Storage), default));
            Assert.Throws<ObjectDisposedException>(() => credential.GetTokenAsync(For(Storage), default).AsTask().GetAwaiter().GetResult());
        }

        [Test]
        public void DisposeDuringACallLetsTheCallFinish()
        {
            using (var held = new HeldBroker())
            {
                var options = Options();
                options.BrokerUrl = held.BrokerUrl;
                var credential = new StudioAzureCredBroker(options);
                var pending = Task.Run(() => credential.GetToken(For(Storage), default));
                Assert.That(held.WaitForRequest(), Is.True);

                credential.Dispose();
                held.Release();

                Assert.That(pending.GetAwaiter().GetResult().Token, Is.EqualTo(HeldBroker.Token));
                Assert.Throws<ObjectDisposedException>(() => credential.GetToken(For(Storage), default));
            }
        }
    }
}
