using System;
using System.Collections.Generic;

namespace VibeData.Studio.AzureCredBroker
{
    /// <summary>
    /// Explicit settings for <see cref="StudioAzureCredBroker"/>. Anything left
    /// unset (null or empty) falls back to its environment variable, then to
    /// the native library's default — the same rules in every language.
    /// </summary>
    public class StudioAzureCredBrokerOptions
    {
        /// <summary>
        /// The Studio credential broker's base URL (<c>/token</c> is appended), e.g.
        /// <c>http://host.docker.internal:8000/api/v1/credential-broker</c>.
        /// Unset: <c>VD_CREDENTIAL_BROKER_URL</c>, else <c>VD_AZ_TOKEN_URL</c>.
        /// </summary>
        public string BrokerUrl { get; set; }

        /// <summary>
        /// The file holding the <c>vd_iat_*</c> intent bearer, re-read on every call
        /// (Studio rotates it). Unset: <c>VD_CREDENTIAL_FILE</c>.
        /// </summary>
        public string CredentialFile { get; set; }

        /// <summary>
        /// Overall time one token request may take, retries included. Unset: 10 seconds.
        /// </summary>
        public TimeSpan? Timeout { get; set; }

        /// <summary>
        /// Resource (scope without <c>/.default</c>) to broker audience, merged over
        /// the defaults: an entry overrides a default, adds a resource, or with a
        /// null or empty audience removes one.
        /// </summary>
        public IDictionary<string, string> AudienceMap { get; set; } = new Dictionary<string, string>();

        /// <summary>
        /// Whether tokens are shared through the process-wide cache. Unset:
        /// <c>VD_BROKER_CACHE</c>, else on.
        /// </summary>
        public bool? CacheEnabled { get; set; }

        /// <summary>
        /// The broker lane, <c>user</c> or <c>service</c>; needs <see cref="ConfigurationRevision"/>.
        /// Unset: <c>VD_CREDENTIAL_LANE</c>.
        /// </summary>
        public string Lane { get; set; }

        /// <summary>
        /// The pinned configuration revision (0 or more); needs <see cref="Lane"/>.
        /// Unset: <c>VD_CREDENTIAL_CONFIGURATION_REVISION</c>.
        /// </summary>
        public long? ConfigurationRevision { get; set; }

        /// <summary>
        /// The runtime-access helper's Unix socket; when it exists as the credential
        /// is constructed, tokens are minted through it and no bearer file or broker
        /// URL is needed. Unset: <c>VD_RUNTIME_ACCESS_SOCKET</c>, else
        /// <c>/run/vd-access/program.sock</c>.
        /// </summary>
        public string RuntimeAccessSocket { get; set; }
    }
}
