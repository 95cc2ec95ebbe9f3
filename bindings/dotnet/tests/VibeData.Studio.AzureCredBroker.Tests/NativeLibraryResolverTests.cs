using System;
using System.IO;
using System.Linq;
using System.Reflection;
using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Interop;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>
    /// VD_BROKER_LIBRARY, honoured by the NativeLibrary resolver of a build
    /// for .NET Core 3.0 and later (netstandard2.0 has no resolver API).
    /// build-and-test.sh compiles such a build for CoreCLR and runs this test
    /// alone in a fresh process, with VD_BROKER_LIBRARY naming the crate's
    /// library and no LD_LIBRARY_PATH leading to it: the first native call of
    /// the process must go through the resolver.
    /// </summary>
    [TestFixture]
    public class NativeLibraryResolverTests : BrokerTest
    {
        [Test]
        public void VdBrokerLibraryPointsTheBindingAtABuildOfTheLibrary()
        {
            var resolves = typeof(NativeLibraryResolver).GetMethod("Resolve", BindingFlags.NonPublic | BindingFlags.Static) != null;
            var library = Environment.GetEnvironmentVariable("VD_BROKER_LIBRARY");
            if (!resolves || string.IsNullOrEmpty(library))
            {
                Assert.Ignore("the netstandard2.0 build has no NativeLibrary resolver: build-and-test.sh runs this test with the CoreCLR build");
            }
            Assert.That(Loaded(), Is.Empty, "libvd_broker.so was loaded before the test");

            var directory = TempDirectory.Create("resolver");
            try
            {
                var missing = Path.Combine(directory, "no-such-library.so");
                Environment.SetEnvironmentVariable("VD_BROKER_LIBRARY", missing);
                var error = Assert.Throws<DllNotFoundException>(() => Credential());
                StringAssert.StartsWith("VD_BROKER_LIBRARY=" + missing + " is not a file", error.Message);

                var copy = Path.Combine(directory, "libvd_broker-another-build.so");
                File.Copy(library, copy);
                Environment.SetEnvironmentVariable("VD_BROKER_LIBRARY", " " + copy + " ");
                Assert.That(Credential().GetToken(For(Storage), default).Token, Is.Not.Empty);
                Assert.That(Loaded(), Is.EqualTo(new[] { copy }));
            }
            finally
            {
                Environment.SetEnvironmentVariable("VD_BROKER_LIBRARY", library);
                Directory.Delete(directory, recursive: true);
            }
        }

        // The paths of the libvd_broker builds mapped into this process.
        private static string[] Loaded()
        {
            return File.ReadAllLines("/proc/self/maps").Select(l => l.Split(' ').Last())
                .Where(p => p.Contains("libvd_broker")).Distinct().ToArray();
        }
    }
}
