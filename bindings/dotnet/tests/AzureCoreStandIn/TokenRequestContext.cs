// Test-only stand-in for Azure.Core (never shipped; see TokenCredential.cs).
using System;

namespace Azure.Core
{
    /// <summary>Stand-in for Azure.Core's <c>TokenRequestContext</c>.</summary>
    public readonly struct TokenRequestContext
    {
        /// <summary>Stand-in for Azure.Core's constructor with optional parameters.</summary>
        public TokenRequestContext(string[] scopes, string parentRequestId = null, string claims = null, string tenantId = null, bool isCaeEnabled = false, bool isProofOfPossessionEnabled = false, string proofOfPossessionNonce = null, Uri requestUri = null, string requestMethod = null)
        {
            Scopes = scopes;
            Claims = claims;
        }

        /// <summary>The scopes the token is for.</summary>
        public string[] Scopes { get; }

        /// <summary>A claims challenge to satisfy.</summary>
        public string Claims { get; }
    }
}
