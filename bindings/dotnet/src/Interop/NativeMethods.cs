using System;
using System.Runtime.InteropServices;

namespace VibeData.Studio.AzureCredBroker.Interop
{
    /// <summary>
    /// The C ABI of <c>include/vd_broker.h</c>, one declaration per function the
    /// binding calls. Strings cross as NUL-terminated UTF-8 byte arrays (see
    /// <see cref="Utf8"/>) because netstandard2.0 has no UTF-8 string marshalling
    /// that every runtime honours; <c>size_t</c> is <see cref="UIntPtr"/>. Buffers
    /// the library writes are <c>[In, Out]</c>, so its writes reach the array on
    /// every runtime, whether it pins the array or copies it.
    /// </summary>
    internal static class NativeMethods
    {
        // Resolved as libvd_broker.so: next to the application, from the NuGet
        // runtimes/linux-x64/native folder, or through LD_LIBRARY_PATH.
        private const string Library = "vd_broker";

        /// <summary><c>VD_BROKER_TOKEN_BUFFER_SIZE</c>: holds any token today's Azure services issue.</summary>
        internal const int TokenBufferSize = 16384;

        /// <summary>Room for any message the library writes; longer ones are cut, never overrun.</summary>
        internal const int ErrorBufferSize = 4096;

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern OptionsHandle vd_broker_options_new();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void vd_broker_options_free(IntPtr options);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int vd_broker_options_set_broker_url(OptionsHandle options, byte[] url);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int vd_broker_options_set_credential_file(OptionsHandle options, byte[] path);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int vd_broker_options_set_timeout_ms(OptionsHandle options, ulong timeoutMs);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int vd_broker_options_set_audience(OptionsHandle options, byte[] resource, byte[] audience);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int vd_broker_options_set_cache(OptionsHandle options, [MarshalAs(UnmanagedType.U1)] bool enabled);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int vd_broker_options_set_lane(OptionsHandle options, byte[] lane);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int vd_broker_options_set_configuration_revision(OptionsHandle options, long revision);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int vd_broker_options_set_runtime_access_socket(OptionsHandle options, byte[] path);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int vd_broker_client_new(OptionsHandle options, out ClientHandle client, [In, Out] byte[] errBuf, UIntPtr errBufLen);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void vd_broker_client_free(IntPtr client);

        // The SafeHandle parameter makes the marshaller hold a reference for the
        // whole call, so a concurrent Dispose cannot free a client in use.
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int vd_broker_client_get_token(
            ClientHandle client,
            byte[] scope,
            byte[] claims,
            ulong timeoutMs,
            [In, Out] byte[] outBuf,
            UIntPtr outBufLen,
            out UIntPtr outTokenLen,
            out long outExpiresOn,
            out long outRefreshOn,
            out ushort outHttpStatus,
            [In, Out] byte[] errBuf,
            UIntPtr errBufLen);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void vd_broker_last_error_message([In, Out] byte[] buf, UIntPtr bufLen, out UIntPtr outLen);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void vd_broker_secure_zero([In, Out] byte[] buf, UIntPtr len);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr vd_broker_version();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr vd_broker_status_name(int status);
    }
}
