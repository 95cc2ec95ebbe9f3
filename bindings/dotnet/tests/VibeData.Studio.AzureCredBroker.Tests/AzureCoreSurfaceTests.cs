using System;
using System.Linq;
using System.Reflection;
using Azure.Core;
using NUnit.Framework;
using VibeData.Studio.AzureCredBroker.Tests.Support;

namespace VibeData.Studio.AzureCredBroker.Tests
{
    /// <summary>
    /// Keeps the Azure.Core stand-in honest. Here the binding is compiled
    /// against the stand-in, so a member the real Azure.Core 1.44.1 lacks
    /// would compile and pass, then break every dotnet SDK build. The committed
    /// list of the real surface (<c>tests/AzureCoreStandIn/Azure.Core-1.44.1.surface.txt</c>)
    /// decides: the Azure.Core assembly the tests run with carries exactly its
    /// members for those types (the stand-in here, the real package with the
    /// SDK), and the binding and these tests use nothing outside it.
    /// </summary>
    [TestFixture]
    public class AzureCoreSurfaceTests
    {
        private static readonly Assembly AzureCore = typeof(TokenCredential).Assembly;

        [Test]
        public void AzureCoreCarriesExactlyTheListedMembers()
        {
            var listed = AzureCoreSurface.CommittedList();
            var partial = listed.Where(l => l.StartsWith(PartialType)).Select(l => l.Substring("partial ".Length)).ToList();
            var partialNames = partial.Select(TypeName).ToList();
            Assert.That(partialNames, Is.EquivalentTo(new[] { "Azure.RequestFailedException" }));
            var partialLines = listed.Where(l => l.StartsWith(PartialType) || partialNames.Any(n => Owns(l, n))).ToList();
            var whole = listed.Except(partialLines).ToList();
            var types = whole.Where(l => l.StartsWith("type ")).Select(TypeName).ToList();
            Assert.That(types, Is.EquivalentTo(new[] { "Azure.Core.TokenCredential", "Azure.Core.AccessToken", "Azure.Core.TokenRequestContext" }));
            var carried = types.SelectMany(name => AzureCoreSurface.Describe(AzureCore.GetType(name, true))).ToList();

            var missing = whole.Except(carried).OrderBy(l => l).ToList();
            var extra = carried.Except(whole).OrderBy(l => l).ToList();
            Assert.That(missing, Is.Empty, "the real Azure.Core 1.44.1 has these; the assembly does not");
            Assert.That(extra, Is.Empty, "the assembly has these; the real Azure.Core 1.44.1 does not");

            // A partial type: the listed members exist (the real one has more).
            var carriedPartial = partialNames.SelectMany(name => AzureCoreSurface.Describe(AzureCore.GetType(name, true))).ToList();
            var listedPartial = partialLines.Select(l => l.StartsWith(PartialType) ? l.Substring("partial ".Length) : l).ToList();
            Assert.That(listedPartial.Except(carriedPartial).ToList(), Is.Empty, "the listed members of a partial type are missing");
        }

        private const string PartialType = "partial type ";

        private static string TypeName(string typeLine)
        {
            var words = typeLine.Split(' ');
            var colon = Array.IndexOf(words, ":");
            return colon > 0 ? words[colon - 1] : words.Last();
        }

        private static bool Owns(string memberLine, string typeName) =>
            !memberLine.StartsWith("type ") && !memberLine.StartsWith(PartialType) && memberLine.Contains(" " + typeName + ".");

        /// <summary>The committed list with the partial types' lines in the form a use is described in.</summary>
        private static System.Collections.Generic.HashSet<string> UsableMembers() =>
            new System.Collections.Generic.HashSet<string>(AzureCoreSurface.CommittedList().Select(l => l.StartsWith(PartialType) ? l.Substring("partial ".Length) : l));

        [Test]
        public void TheBindingAndItsTestsUseOnlyListedMembers()
        {
            var listed = UsableMembers();
            var binding = typeof(StudioAzureCredBroker).Assembly;
            var uses = AzureCoreSurface.ReferencesIn(binding).Concat(AzureCoreSurface.ReferencesIn(typeof(AzureCoreSurfaceTests).Assembly)).ToList();
            // The scan must see what the binding is built on, or it proves nothing.
            Assert.That(uses.Select(u => u.Key), Has.Member("type abstract class Azure.Core.TokenCredential"));
            Assert.That(uses.Select(u => u.Key), Has.Member(
                "public abstract Azure.Core.AccessToken Azure.Core.TokenCredential.GetToken(Azure.Core.TokenRequestContext requestContext, System.Threading.CancellationToken cancellationToken)"));
            Assert.That(uses.Select(u => u.Key), Has.Member("public System.String[] Azure.Core.TokenRequestContext.Scopes { get; }"));

            var unknown = uses.Where(u => !listed.Contains(u.Key)).Select(u => $"{u.Key}  (used in {u.Value})").Distinct().OrderBy(u => u).ToList();
            Assert.That(unknown, Is.Empty, "Azure.Core 1.44.1 lacks what these use");
        }

        [Test]
        public void AccessTokenHasTheRealDefaultsAndValueEquality()
        {
            var expires = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
            Assert.That(new AccessToken("t", expires).TokenType, Is.EqualTo("Bearer"));
            Assert.That(new AccessToken("t", expires, null).TokenType, Is.EqualTo("Bearer"));
            Assert.That(new AccessToken("t", expires, null).RefreshOn, Is.Null);
            Assert.That(new AccessToken("t", expires, expires.AddMinutes(-5), "PoP").TokenType, Is.EqualTo("PoP"));

            // Equal over Token, ExpiresOn and TokenType; RefreshOn does not count.
            var token = new AccessToken("t", expires, expires.AddMinutes(-5));
            Assert.That(token, Is.EqualTo(new AccessToken("t", expires)));
            Assert.That(token.GetHashCode(), Is.EqualTo(new AccessToken("t", expires).GetHashCode()));
            Assert.That(token, Is.Not.EqualTo(new AccessToken("u", expires)));
            Assert.That(token, Is.Not.EqualTo(new AccessToken("t", expires.AddSeconds(1))));
            Assert.That(token, Is.Not.EqualTo(new AccessToken("t", expires, null, "PoP")));
        }

        [Test]
        public void TokenRequestContextKeepsEveryArgument()
        {
            var uri = new Uri("https://vault.example/secrets/s");
            var context = new TokenRequestContext(new[] { "s" }, "parent", "claims", "tenant", true, true, "nonce", uri, "GET");
            Assert.That(new object[] { context.ParentRequestId, context.Claims, context.TenantId, context.IsCaeEnabled, context.IsProofOfPossessionEnabled, context.ProofOfPossessionNonce, context.ResourceRequestUri, context.ResourceRequestMethod },
                Is.EqualTo(new object[] { "parent", "claims", "tenant", true, true, "nonce", uri, "GET" }));
            var shorter = new TokenRequestContext(new[] { "s" }, "parent", "claims", "tenant", true);
            Assert.That(new object[] { shorter.TenantId, shorter.IsCaeEnabled, shorter.IsProofOfPossessionEnabled }, Is.EqualTo(new object[] { "tenant", true, false }));
            Assert.That(new TokenRequestContext(new[] { "s" }).Scopes, Is.EqualTo(new[] { "s" }));
        }
    }
}
