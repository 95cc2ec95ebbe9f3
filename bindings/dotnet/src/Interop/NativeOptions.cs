using System;
using System.Collections.Generic;

namespace VibeData.Studio.AzureCredBroker.Interop
{
    /// <summary>
    /// <see cref="StudioAzureCredBrokerOptions"/> copied into a native
    /// <c>vd_broker_options</c>. Only what the caller set is passed on: the
    /// library applies the environment fallbacks and validates.
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
            SetText(native, NativeMethods.vd_broker_options_set_broker_url, options.BrokerUrl, prefix + nameof(options.BrokerUrl));
            SetText(native, NativeMethods.vd_broker_options_set_credential_file, options.CredentialFile, prefix + nameof(options.CredentialFile));
            SetText(native, NativeMethods.vd_broker_options_set_lane, options.Lane, prefix + nameof(options.Lane));
            SetText(native, NativeMethods.vd_broker_options_set_runtime_access_socket, options.RuntimeAccessSocket, prefix + nameof(options.RuntimeAccessSocket));
            if (options.Timeout.HasValue)
            {
                var name = prefix + nameof(options.Timeout);
                StatusErrors.ThrowIfFailed(NativeMethods.vd_broker_options_set_timeout_ms(native, Milliseconds(options.Timeout.Value, name)), name);
            }
            if (options.CacheEnabled.HasValue)
            {
                StatusErrors.ThrowIfFailed(NativeMethods.vd_broker_options_set_cache(native, options.CacheEnabled.Value), prefix + nameof(options.CacheEnabled));
            }
            if (options.ConfigurationRevision.HasValue)
            {
                StatusErrors.ThrowIfFailed(
                    NativeMethods.vd_broker_options_set_configuration_revision(native, options.ConfigurationRevision.Value),
                    prefix + nameof(options.ConfigurationRevision));
            }
            if (options.AudienceMap != null)
            {
                var name = prefix + nameof(options.AudienceMap);
                foreach (KeyValuePair<string, string> entry in options.AudienceMap)
                {
                    StatusErrors.ThrowIfFailed(
                        NativeMethods.vd_broker_options_set_audience(native, Utf8.Encode(entry.Key, name), Utf8.Encode(entry.Value, name)),
                        name);
                }
            }
        }

        private static void SetText(OptionsHandle native, Func<OptionsHandle, byte[], int> setter, string value, string name)
        {
            if (value != null)
            {
                StatusErrors.ThrowIfFailed(setter(native, Utf8.Encode(value, name)), name);
            }
        }

        // Whole milliseconds, rounded up so a positive timeout never becomes 0;
        // zero is passed on for the library to refuse.
        private static ulong Milliseconds(TimeSpan timeout, string name)
        {
            if (timeout < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(name, timeout, $"{name} must be positive; leave it unset for the default of 10 seconds");
            }
            return (ulong)Math.Ceiling(timeout.TotalMilliseconds);
        }
    }
}
