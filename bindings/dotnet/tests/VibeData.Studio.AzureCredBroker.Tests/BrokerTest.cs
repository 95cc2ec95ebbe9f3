using System;
using System.Collections.Generic;
using Azure.Core;
using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>
    /// A test against the session's emulator: reset before it starts, with a
    /// bearer file of its own, and credentials that are disposed after it.
    /// </summary>
    public abstract class BrokerTest
    {
        protected const string Storage = "https://storage.azure.com/.default";
        protected const string Vault = "https://vault.azure.net/.default";

        private readonly List<IDisposable> _owned = new List<IDisposable>();

        internal Emulator Emulator => TestSession.Emulator;

        internal BearerFile Bearer { get; private set; }

        [SetUp]
        public void StartTest()
        {
            Emulator.Reset();
            Bearer = Own(BearerFile.Create());
        }

        [TearDown]
        public void EndTest()
        {
            for (var i = _owned.Count - 1; i >= 0; i--)
            {
                _owned[i].Dispose();
            }
            _owned.Clear();
            Emulator.Reset();
        }

        /// <summary>Disposed when the test ends, last first.</summary>
        internal T Own<T>(T disposable) where T : IDisposable
        {
            _owned.Add(disposable);
            return disposable;
        }

        /// <summary>Options pointing at the emulator with this test's bearer file.</summary>
        internal StudioAzureCredBrokerOptions Options()
        {
            return new StudioAzureCredBrokerOptions { BrokerUrl = Emulator.BrokerUrl, CredentialFile = Bearer.Path };
        }

        internal StudioAzureCredBroker Credential(Action<StudioAzureCredBrokerOptions> configure = null)
        {
            var options = Options();
            configure?.Invoke(options);
            return Own(new StudioAzureCredBroker(options));
        }

        internal static TokenRequestContext For(string scope, string claims = null)
        {
            return new TokenRequestContext(new[] { scope }, claims: claims);
        }

        /// <summary>The failure of a token request, which must be exactly a <typeparamref name="T"/> with <paramref name="status"/>.</summary>
        internal static T Failure<T>(StudioAzureCredBroker credential, BrokerStatusCode status, string scope = Storage)
            where T : StudioCredentialBrokerException
        {
            var error = Assert.Throws<T>(() => credential.GetToken(For(scope), default));
            Assert.That(error.Status, Is.EqualTo(status));
            return error;
        }
    }
}
