using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>One credential, many threads: every caller gets a whole, right token.</summary>
    [TestFixture]
    public class ConcurrencyTests : BrokerTest
    {
        [Test]
        public void SixtyFourThreadsShareOneMint()
        {
            var credential = Credential();
            var tokens = OnThreads(64, _ => credential.GetToken(For(Storage), default).Token);

            Assert.That(tokens.Distinct().Count(), Is.EqualTo(1));
            Assert.That(Jwt.Claims(tokens[0])["vd_audience"], Is.EqualTo("storage"));
            Assert.That(Emulator.RequestsWith(Bearer), Has.Count.EqualTo(1), "concurrent misses on one key make one request");
        }

        [Test]
        public void ThreadsWithoutTheCacheEachGetTheirOwnToken()
        {
            var credential = Credential(o => o.CacheEnabled = false);
            var scopes = new[] { Storage, Vault };
            var audiences = OnThreads(16, thread =>
            {
                var seen = new List<string>();
                for (var call = 0; call < 4; call++)
                {
                    var scope = scopes[(thread + call) % 2];
                    var token = credential.GetToken(For(scope), default);
                    seen.Add(scope + " -> " + Jwt.Claims(token.Token)["vd_audience"]);
                }
                return seen;
            }).SelectMany(seen => seen).ToList();

            Assert.That(audiences, Has.Count.EqualTo(64));
            Assert.That(audiences.Distinct(), Is.EquivalentTo(new[] { Storage + " -> storage", Vault + " -> vault" }));
            Assert.That(Emulator.RequestsWith(Bearer), Has.Count.EqualTo(64));
        }

        [Test]
        public void ManyAsyncCallsAtOnce()
        {
            var credential = Credential(o => o.CacheEnabled = false);
            var calls = Enumerable.Range(0, 64).Select(_ => credential.GetTokenAsync(For(Vault), default).AsTask()).ToArray();

            Task.WaitAll(calls);

            Assert.That(calls.Select(c => Jwt.Claims(c.Result.Token)["aud"]).Distinct(), Is.EqualTo(new[] { "https://vault.azure.net" }));
            Assert.That(Emulator.RequestsWith(Bearer), Has.Count.EqualTo(64));
        }

        [Test]
        public void CredentialsCreatedAndDisposedOnManyThreads()
        {
            var options = Options();
            var tokens = OnThreads(16, _ =>
            {
                using (var credential = new StudioAzureCredBroker(options))
                {
                    return credential.GetToken(For(Storage), default).Token;
                }
            });
            Assert.That(tokens.Distinct().Count(), Is.EqualTo(1));
        }

        /// <summary>Runs <paramref name="work"/> on <paramref name="count"/> threads released together; rethrows the first failure.</summary>
        private static List<T> OnThreads<T>(int count, Func<int, T> work)
        {
            var results = new T[count];
            var failures = new List<Exception>();
            using (var start = new Barrier(count))
            {
                var threads = Enumerable.Range(0, count).Select(i => new Thread(() =>
                {
                    try
                    {
                        start.SignalAndWait();
                        results[i] = work(i);
                    }
                    catch (Exception e)
                    {
                        lock (failures)
                        {
                            failures.Add(e);
                        }
                    }
                })).ToList();
                threads.ForEach(t => t.Start());
                threads.ForEach(t => t.Join());
            }
            if (failures.Count > 0)
            {
                throw new AggregateException(failures);
            }
            return results.ToList();
        }
    }
}
