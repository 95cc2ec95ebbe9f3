// Test-only stand-in for Azure.Core (never shipped; see TokenCredential.cs).
using System;

namespace Azure.Core
{
    /// <summary>Stand-in for Azure.Core's <c>AccessToken</c>.</summary>
    public struct AccessToken
    {
        /// <summary>Stand-in for Azure.Core's constructor (the real one also sets <c>TokenType</c> to "Bearer").</summary>
        public AccessToken(string accessToken, DateTimeOffset expiresOn, DateTimeOffset? refreshOn)
        {
            Token = accessToken;
            ExpiresOn = expiresOn;
            RefreshOn = refreshOn;
        }

        /// <summary>The access token.</summary>
        public string Token { get; }

        /// <summary>When the token expires.</summary>
        public DateTimeOffset ExpiresOn { get; }

        /// <summary>When the token should be refreshed.</summary>
        public DateTimeOffset? RefreshOn { get; }
    }
}
