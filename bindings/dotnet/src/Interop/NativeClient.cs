using System;
using Azure.Core;

namespace VibeData.Studio.AzureCredBroker.Interop
{
    /// <summary>
    /// One native <c>vd_broker_client</c> and its token call: arguments in as
    /// UTF-8, the token out through a buffer sized the way the library asks,
    /// failures out as exceptions carrying the call's own error message.
    /// Thread-safe, like the client it wraps.
    /// </summary>
    internal sealed class NativeClient : IDisposable
    {
        private const string RequestContext = "requestContext";

        // DateTimeOffset's range in Unix seconds; the library may report
        // expiries beyond it (a broker saying "expires_in": 1e300).
        private const long MinUnixSeconds = -62135596800;
        private const long MaxUnixSeconds = 253402300799;

        private readonly ClientHandle _handle;

        private NativeClient(ClientHandle handle)
        {
            _handle = handle;
        }

        /// <summary>A client configured from <paramref name="options"/> (null: the environment only).</summary>
        internal static NativeClient Create(StudioAzureCredBrokerOptions options)
        {
            using (var native = NativeOptions.From(options))
            {
                var error = new byte[NativeMethods.ErrorBufferSize];
                var status = NativeMethods.vd_broker_client_new(native, out var handle, error, (UIntPtr)error.Length);
                if (status != (int)BrokerStatusCode.Ok)
                {
                    handle?.Dispose();
                    throw StatusErrors.ToException(status, Utf8.DecodeTerminated(error), "options");
                }
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
            var error = new byte[NativeMethods.ErrorBufferSize];
            var buffer = new byte[NativeMethods.TokenBufferSize];
            try
            {
                var status = Call(scopeText, claimsText, buffer, error, out var length, out var expiresOn, out var refreshOn, out var httpStatus);
                if (status == (int)BrokerStatusCode.BufferTooSmall && length.ToUInt64() >= (ulong)buffer.Length)
                {
                    // Nothing was written; ask once more with the size the library
                    // reported (the cache makes the second call cheap).
                    buffer = new byte[checked((int)length.ToUInt64() + 1)];
                    status = Call(scopeText, claimsText, buffer, error, out length, out expiresOn, out refreshOn, out httpStatus);
                }
                if (status != (int)BrokerStatusCode.Ok)
                {
                    throw StatusErrors.ToException(status, Utf8.DecodeTerminated(error), RequestContext, httpStatus);
                }
                var token = Utf8.Decode(buffer, checked((int)length.ToUInt64()));
                return new AccessToken(token, FromUnixSeconds(expiresOn), FromUnixSeconds(refreshOn));
            }
            finally
            {
                NativeMethods.vd_broker_secure_zero(buffer, (UIntPtr)buffer.Length);
            }
        }

        private int Call(byte[] scope, byte[] claims, byte[] buffer, byte[] error, out UIntPtr length, out long expiresOn, out long refreshOn, out ushort httpStatus)
        {
            return NativeMethods.vd_broker_client_get_token(
                _handle,
                scope,
                claims,
                0, // the client's timeout
                buffer,
                (UIntPtr)buffer.Length,
                out length,
                out expiresOn,
                out refreshOn,
                out httpStatus,
                error,
                (UIntPtr)error.Length);
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
