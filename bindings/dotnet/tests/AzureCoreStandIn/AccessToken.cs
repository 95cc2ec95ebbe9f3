// Test-only stand-in for Azure.Core (never shipped; see TokenCredential.cs).
using System;

namespace Azure.Core
{
    /// <summary>Stand-in for Azure.Core's <c>AccessToken</c>.</summary>
    public struct AccessToken
    {
        /// <summary>Stand-in for Azure.Core's constructor; <c>TokenType</c> is "Bearer".</summary>
        public AccessToken(string accessToken, DateTimeOffset expiresOn)
            : this(accessToken, expiresOn, null, "Bearer")
        {
        }

        /// <summary>Stand-in for Azure.Core's constructor; <c>TokenType</c> is "Bearer".</summary>
        public AccessToken(string accessToken, DateTimeOffset expiresOn, DateTimeOffset? refreshOn)
            : this(accessToken, expiresOn, refreshOn, "Bearer")
        {
        }

        /// <summary>Stand-in for Azure.Core's constructor with a token type.</summary>
        public AccessToken(string accessToken, DateTimeOffset expiresOn, DateTimeOffset? refreshOn, string tokenType)
        {
            Token = accessToken;
            ExpiresOn = expiresOn;
            RefreshOn = refreshOn;
            TokenType = tokenType;
        }

        /// <summary>The access token.</summary>
        public string Token { get; }

        /// <summary>When the token expires.</summary>
        public DateTimeOffset ExpiresOn { get; }

        /// <summary>When the token should be refreshed.</summary>
        public DateTimeOffset? RefreshOn { get; }

        /// <summary>The token's type ("Bearer" unless a constructor was told otherwise).</summary>
        public string TokenType { get; }

        /// <summary>Value equality as Azure.Core's: over <c>Token</c>, <c>ExpiresOn</c> and <c>TokenType</c>, not <c>RefreshOn</c>.</summary>
        public override bool Equals(object obj)
        {
            return obj is AccessToken other && other.ExpiresOn == ExpiresOn && other.Token == Token && other.TokenType == TokenType;
        }

        /// <summary>A hash over the members <see cref="Equals(object)"/> compares.</summary>
        public override int GetHashCode()
        {
            unchecked
            {
                var hash = (Token?.GetHashCode() ?? 0) * 397;
                hash = (hash ^ ExpiresOn.GetHashCode()) * 397;
                return hash ^ (TokenType?.GetHashCode() ?? 0);
            }
        }
    }
}
