using VibeData.Studio.AzureCredBroker.Interop;

namespace VibeData.Studio.AzureCredBroker
{
    /// <summary>The native library's classification of a <see cref="BrokerStatusCode"/>.</summary>
    public static class BrokerStatusCodeExtensions
    {
        // Before the first native call (net8.0: VD_BROKER_LIBRARY).
        static BrokerStatusCodeExtensions()
        {
            NativeLibraryResolver.Install();
        }

        /// <summary>
        /// Whether Studio looks absent from this environment — no configuration, no bearer
        /// file, no broker listening — rather than present and failing.
        /// </summary>
        public static bool IsUnavailable(this BrokerStatusCode status) => NativeMethods.vd_broker_status_is_unavailable((int)status);

        /// <summary>Whether asking again later may succeed: the broker or the network failed.</summary>
        public static bool IsRetriable(this BrokerStatusCode status) => NativeMethods.vd_broker_status_is_retriable((int)status);

        /// <summary>Whether the intent bearer was refused (401/403, a helper refusal) or could not be read.</summary>
        public static bool IsAuthenticationFailure(this BrokerStatusCode status) => NativeMethods.vd_broker_status_is_authentication_failure((int)status);

        /// <summary>Whether the settings are missing or invalid.</summary>
        public static bool IsConfigurationError(this BrokerStatusCode status) => NativeMethods.vd_broker_status_is_configuration_error((int)status);

        /// <summary>Whether the call itself was wrong: an argument, or a scope that maps to no audience.</summary>
        public static bool IsCallerError(this BrokerStatusCode status) => NativeMethods.vd_broker_status_is_caller_error((int)status);

        /// <summary>The header's name of the status, e.g. <c>VD_BROKER_ERR_TIMEOUT</c>.</summary>
        public static string NativeName(this BrokerStatusCode status) => Utf8.FromStatic(NativeMethods.vd_broker_status_name((int)status));
    }
}
