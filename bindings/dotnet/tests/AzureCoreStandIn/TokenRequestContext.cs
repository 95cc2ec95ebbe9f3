// Test-only stand-in for Azure.Core (never shipped; see TokenCredential.cs).
using System;

namespace Azure.Core
{
    /// <summary>Stand-in for Azure.Core's <c>TokenRequestContext</c>.</summary>
    public readonly struct TokenRequestContext
    {
        /// <summary>Stand-in for Azure.Core's constructor.</summary>
        public TokenRequestContext(string[] scopes, string parentRequestId)
            : this(scopes, parentRequestId, null, null, false)
        {
        }

        /// <summary>Stand-in for Azure.Core's constructor.</summary>
        public TokenRequestContext(string[] scopes, string parentRequestId, string claims)
            : this(scopes, parentRequestId, claims, null, false)
        {
        }

        /// <summary>Stand-in for Azure.Core's constructor.</summary>
        public TokenRequestContext(string[] scopes, string parentRequestId, string claims, string tenantId)
            : this(scopes, parentRequestId, claims, tenantId, false)
        {
        }

        /// <summary>Stand-in for Azure.Core's constructor.</summary>
        public TokenRequestContext(string[] scopes, string parentRequestId, string claims, string tenantId, bool isCaeEnabled)
            : this(scopes, parentRequestId, claims, tenantId, isCaeEnabled, false, null, null, null)
        {
        }

        /// <summary>Stand-in for Azure.Core's constructor with optional parameters.</summary>
        public TokenRequestContext(string[] scopes, string parentRequestId = null, string claims = null, string tenantId = null, bool isCaeEnabled = false, bool isProofOfPossessionEnabled = false, string proofOfPossessionNonce = null, Uri requestUri = null, string requestMethod = null)
        {
            Scopes = scopes;
            ParentRequestId = parentRequestId;
            Claims = claims;
            TenantId = tenantId;
            IsCaeEnabled = isCaeEnabled;
            IsProofOfPossessionEnabled = isProofOfPossessionEnabled;
            ProofOfPossessionNonce = proofOfPossessionNonce;
            ResourceRequestUri = requestUri;
            ResourceRequestMethod = requestMethod;
        }

        /// <summary>The scopes the token is for.</summary>
        public string[] Scopes { get; }

        /// <summary>The client request id of the request that needs the token.</summary>
        public string ParentRequestId { get; }

        /// <summary>A claims challenge to satisfy.</summary>
        public string Claims { get; }

        /// <summary>The tenant to get the token from.</summary>
        public string TenantId { get; }

        /// <summary>Whether the caller handles Continuous Access Evaluation challenges.</summary>
        public bool IsCaeEnabled { get; }

        /// <summary>Whether a proof-of-possession token is asked for.</summary>
        public bool IsProofOfPossessionEnabled { get; }

        /// <summary>The nonce of a proof-of-possession challenge.</summary>
        public string ProofOfPossessionNonce { get; }

        /// <summary>The URI of the request a proof-of-possession token is for.</summary>
        public Uri ResourceRequestUri { get; }

        /// <summary>The method of the request a proof-of-possession token is for.</summary>
        public string ResourceRequestMethod { get; }
    }
}
