using System;
using System.Linq;
using Azure.Core;
using NUnit.Framework;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>
    /// What the shipped assembly references, read from its metadata on the
    /// runtime the tests run on: it is a netstandard2.0 library (framework
    /// types from netstandard, ValueTask from System.Threading.Tasks.Extensions,
    /// never Mono's or .NET Framework's mscorlib, whose ValueTask CoreCLR
    /// cannot find), and it binds to the real Azure.Core 1.44.1 by its full
    /// identity, which the stand-in the tests run with carries too.
    /// </summary>
    [TestFixture]
    public class AssemblyReferenceTests
    {
        private const string AzureCore = "Azure.Core, Version=1.44.1.0, Culture=neutral, PublicKeyToken=92742159e12e44c8";

        [Test]
        public void TheLibraryReferencesNetstandardAndTheRealAzureCore()
        {
            var references = typeof(StudioAzureCredBroker).Assembly.GetReferencedAssemblies().Select(r => r.FullName).OrderBy(r => r, StringComparer.OrdinalIgnoreCase).ToList();
            Assert.That(references, Is.EqualTo(new[]
            {
                AzureCore,
                "netstandard, Version=2.0.0.0, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51",
                "System.Threading.Tasks.Extensions, Version=4.2.0.1, Culture=neutral, PublicKeyToken=cc7b13ffcd2ddd51",
            }));
        }

        [Test]
        public void TheAzureCoreTheTestsRunWithHasTheRealIdentity()
        {
            Assert.That(typeof(TokenCredential).Assembly.FullName, Is.EqualTo(AzureCore));
        }
    }
}
