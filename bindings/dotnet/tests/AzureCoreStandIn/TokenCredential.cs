// Test-only stand-in for Azure.Core (never shipped; see bindings/dotnet/README.md).
// Azure.Core cannot be installed on the Mono test machine, so the binding is
// compiled against this reproduction of the public surface of Azure.Core
// 1.44.1's TokenCredential, TokenRequestContext and AccessToken: exactly the
// members listed in Azure.Core-1.44.1.surface.txt beside it, no more and no
// fewer (AzureCoreSurfaceTests checks both, and that the binding uses nothing
// else).
using System.Threading;
using System.Threading.Tasks;

namespace Azure.Core
{
    /// <summary>Stand-in for Azure.Core's <c>TokenCredential</c>.</summary>
    public abstract class TokenCredential
    {
        /// <summary>Stand-in for Azure.Core's protected constructor.</summary>
        protected TokenCredential()
        {
        }

        /// <summary>Stand-in for Azure.Core's <c>GetToken</c>.</summary>
        public abstract AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken);

        /// <summary>Stand-in for Azure.Core's <c>GetTokenAsync</c>; like the real one it returns a <c>ValueTask</c>.</summary>
        public abstract ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken);
    }
}
