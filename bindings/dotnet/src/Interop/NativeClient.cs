using System;
using System.Runtime.InteropServices;
using Azure.Core;

namespace VibeData.Studio.AzureCredBroker.Interop
{
    /// <summary>
    /// One native <c>vd_broker_client</c> and its token call: arguments in as
    /// UTF-8, the token out as a library-owned object, failures out as
    /// exceptions carrying the call's own error object. Thread-safe, like the
    /// client it wraps.
    /// </summary>
    internal sealed class NativeClient : IDisposable
    {
        private const string RequestContext = "requestContext";

        // DateTimeOffset's range in Unix seconds; the library may report
        // expiries beyond it (a broker saying "expires_in": 1e300).
        private const long MinUnixSeconds = -62135596800;
        private const long MaxUnixSeconds = 253402300799;

        // What the broker issues, said explicitly as Azure.Identity's credentials do.
        private const string TokenType = "Bearer";

        private readonly ClientHandle _handle;

        // Before this class's first native call (net8.0: VD_BROKER_LIBRARY).
        static NativeClient()
        {
            NativeLibraryResolver.Install();
        }

        private NativeClient(ClientHandle handle)
        {
            _handle = handle;
        }

        /// <summary>A client configured from <paramref name="options"/> (null: the environment only).</summary>
        internal static NativeClient Create(StudioAzureCredBrokerOptions options)
        {
            // A listener can only enable a source that exists: before the client's first event.
            StudioCredentialEventSource.EnsureCreated();
            using (var native = NativeOptions.From(options))
            {
                if (NativeMethods.vd_broker_client_create(native, out var handle, out var error) != (int)BrokerStatusCode.Ok)
                {
                    handle.Dispose();
                    throw StatusErrors.ToException(error, "options");
                }
                error.Dispose();
                return new NativeClient(handle);
            }
        }

        /// <summary>
        /// A token for <paramref name="scope"/>, with <paramref name="claims"/>
        /// (a CAE challenge, or null). Blocks for at most the client's timeout.
        /// </summary>
        internal AccessToken GetToken(string scope, string claims)
        {
            var scopeText = Utf8.Encode(scope, RequestContext + ".Scopes");
            var claimsText = Utf8.Encode(claims, RequestContext + ".Claims");
            // 0: the client's timeout.
            if (NativeMethods.vd_broker_client_fetch_token(_handle, scopeText, claimsText, 0, out var token, out var error) != (int)BrokerStatusCode.Ok)
            {
                token.Dispose();
                throw StatusErrors.ToException(error, RequestContext);
            }
            error.Dispose();
            using (token) // freeing it zeroes the library's copy
            {
                var fields = token.Fields;
                var secret = new byte[checked((int)fields.secret_len.ToUInt64())];
                Marshal.Copy(fields.secret, secret, 0, secret.Length);
                try
                {
                    return new AccessToken(Utf8.Decode(secret, secret.Length), FromUnixSeconds(fields.expires_on), FromUnixSeconds(fields.refresh_on), TokenType);
                }
                finally
                {
                    Array.Clear(secret, 0, secret.Length);
                }
            }
        }

        private static DateTimeOffset FromUnixSeconds(long seconds)
        {
            if (seconds >= MaxUnixSeconds)
            {
                return DateTimeOffset.MaxValue;
            }
            if (seconds <= MinUnixSeconds)
            {
                return DateTimeOffset.MinValue;
            }
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        public void Dispose()
        {
            _handle.Dispose();
        }
    }
}
