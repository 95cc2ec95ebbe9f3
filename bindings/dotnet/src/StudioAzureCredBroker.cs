using System;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using VibeData.Studio.AzureCredBroker.Interop;

namespace VibeData.Studio.AzureCredBroker
{
    /// <summary>
    /// An Azure <see cref="TokenCredential"/> that mints audience-bound Azure
    /// tokens through the VibeData Studio credential broker, in exchange for the
    /// Studio intent bearer (<c>vd_iat_*</c>) — or through the runtime-access
    /// helper where the container has one. Pass it to any Azure SDK client
    /// (<c>SecretClient</c>, <c>BlobServiceClient</c>, ...).
    /// </summary>
    /// <remarks>
    /// The work is done by the native <c>vd_broker</c> library: scope → audience
    /// mapping, reading the bearer afresh on every call, retries, and a token
    /// cache shared by every credential in the process. Only the first scope of
    /// a request is used. Thread-safe. Dispose it to free the native client;
    /// calls already running finish first.
    /// </remarks>
    public class StudioAzureCredBroker : TokenCredential, IDisposable
    {
        private readonly NativeClient _client;
        private int _disposed;

        // Before this class's first native call (net8.0: VD_BROKER_LIBRARY).
        static StudioAzureCredBroker()
        {
            Interop.NativeLibraryResolver.Install();
        }

        /// <summary>
        /// A credential configured from <paramref name="options"/> (none, the default:
        /// from the environment, <c>VD_CREDENTIAL_BROKER_URL</c>, <c>VD_CREDENTIAL_FILE</c>, ...),
        /// with the environment filling in what they leave unset.
        /// </summary>
        /// <exception cref="StudioCredentialArgumentException">A required setting is missing or invalid (<see cref="BrokerStatusCode.Configuration"/>), or an option is out of range.</exception>
        /// <exception cref="ArgumentException">A string option cannot be passed to the native library (it holds a NUL or a lone surrogate).</exception>
        public StudioAzureCredBroker(StudioAzureCredBrokerOptions options = null)
        {
            _client = NativeClient.Create(options);
        }

        /// <summary>
        /// For mocking frameworks (as Azure.Identity's credentials have one): no
        /// native client; a subclass overrides <see cref="GetToken"/> and
        /// <see cref="GetTokenAsync"/>, whose base versions then throw.
        /// </summary>
        protected StudioAzureCredBroker()
        {
        }

        /// <summary>The native library's version, e.g. <c>0.1.0</c>.</summary>
        public static string NativeLibraryVersion => Utf8.FromStatic(NativeMethods.vd_broker_version());

        /// <summary>
        /// A token for the first of <paramref name="requestContext"/>'s scopes, honouring its claims.
        /// Blocks for at most the configured timeout.
        /// </summary>
        /// <exception cref="ScopeNotAllowedException">The scope maps to no broker audience.</exception>
        /// <exception cref="StudioCredentialArgumentException">No scope was given.</exception>
        /// <exception cref="BrokerAuthenticationFailedException">The broker or helper refused the bearer.</exception>
        /// <exception cref="StudioCredentialBrokerException">The bearer file, broker or helper failed.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the call.</exception>
        /// <exception cref="ObjectDisposedException">The credential was disposed.</exception>
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Mint(requestContext);
        }

        /// <summary>
        /// <see cref="GetToken(TokenRequestContext, CancellationToken)"/> without
        /// blocking the caller: the native call runs on the thread pool. Cancelling
        /// <paramref name="cancellationToken"/> ends the wait at once with an
        /// <see cref="OperationCanceledException"/>; the native call finishes in the
        /// background (within the timeout) and its token still fills the shared cache.
        /// </summary>
        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken = default)
        {
            var minting = Task.Run(() => Mint(requestContext), cancellationToken);
            return new ValueTask<AccessToken>(TaskCancellation.AbandonOnCancel(minting, cancellationToken));
        }

        /// <summary>Frees the native client once no call is using it. Later calls throw <see cref="ObjectDisposedException"/>.</summary>
        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        /// <summary>Frees the native client (its handle is also released by the runtime if this is never called).</summary>
        protected virtual void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _client?.Dispose();
            }
        }

        private AccessToken Mint(TokenRequestContext requestContext)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                throw new ObjectDisposedException(nameof(StudioAzureCredBroker));
            }
            if (_client == null)
            {
                throw new InvalidOperationException("this StudioAzureCredBroker was made by the protected constructor, which is for mocking: override GetToken and GetTokenAsync, or construct it with options");
            }
            var scopes = requestContext.Scopes;
            // No scope is passed on as "" for the library to refuse with its own message.
            var scope = scopes != null && scopes.Length > 0 ? scopes[0] ?? string.Empty : string.Empty;
            return _client.GetToken(scope, requestContext.Claims);
        }
    }
}
