using System.Collections.Generic;

namespace VibeData.Studio.AzureCredBroker.Interop
{
    /// <summary>
    /// <see cref="StudioAzureCredBrokerOptions"/> copied into a native
    /// <c>vd_broker_options</c>. Only what the caller set is passed on, unchecked:
    /// the library applies the environment fallbacks, validates, and
    /// <c>vd_broker_client_create</c> reports what it refused.
    /// </summary>
    internal static class NativeOptions
    {
        internal static OptionsHandle From(StudioAzureCredBrokerOptions options)
        {
            var native = NativeMethods.vd_broker_options_new();
            if (native.IsInvalid)
            {
                throw new StudioCredentialBrokerException(
                    BrokerStatusCode.Panic,
                    "vd_broker could not allocate client options (an internal error); please report it");
            }
            try
            {
                if (options != null)
                {
                    Apply(native, options);
                }
                return native;
            }
            catch
            {
                native.Dispose();
                throw;
            }
        }

        private static void Apply(OptionsHandle native, StudioAzureCredBrokerOptions options)
        {
            const string prefix = nameof(StudioAzureCredBrokerOptions) + ".";
            NativeMethods.vd_broker_options_set_broker_url(native, Utf8.Encode(options.BrokerUrl, prefix + nameof(options.BrokerUrl)));
            NativeMethods.vd_broker_options_set_credential_file(native, Utf8.Encode(options.CredentialFile, prefix + nameof(options.CredentialFile)));
            NativeMethods.vd_broker_options_set_lane(native, Utf8.Encode(options.Lane, prefix + nameof(options.Lane)));
            NativeMethods.vd_broker_options_set_runtime_access_socket(native, Utf8.Encode(options.RuntimeAccessSocket, prefix + nameof(options.RuntimeAccessSocket)));
            if (options.Timeout.HasValue)
            {
                NativeMethods.vd_broker_options_set_timeout_seconds(native, options.Timeout.Value.TotalSeconds);
            }
            if (options.CacheEnabled.HasValue)
            {
                NativeMethods.vd_broker_options_set_cache(native, options.CacheEnabled.Value);
            }
            if (options.ConfigurationRevision.HasValue)
            {
                NativeMethods.vd_broker_options_set_configuration_revision(native, options.ConfigurationRevision.Value);
            }
            foreach (KeyValuePair<string, string> entry in options.AudienceMap ?? new Dictionary<string, string>())
            {
                var name = prefix + nameof(options.AudienceMap);
                NativeMethods.vd_broker_options_set_audience(native, Utf8.Encode(entry.Key, name), Utf8.Encode(entry.Value, name));
            }
        }
    }
}
