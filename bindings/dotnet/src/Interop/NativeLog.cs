using System;
using System.Runtime.InteropServices;
using System.Text;

namespace VibeData.Studio.AzureCredBroker.Interop
{
    /// <summary>
    /// The library's process-wide log callback, routed to one managed sink (the
    /// <see cref="StudioCredentialEventSource"/>): registered only while the sink
    /// wants events, for the most verbose level it wants, so that without a
    /// listener the library stays silent and formats nothing.
    /// </summary>
    internal static class NativeLog
    {
        // Static: the delegate (and the thunk the runtime made for it) must
        // outlive every native call that may invoke it.
        private static readonly vd_broker_log_callback Callback = Deliver;
        private static readonly object Gate = new object();
        private static Action<LogLevel, string> _sink;
        private static bool _unhookedAtExit;

        // Before this class's first native call (net8.0: VD_BROKER_LIBRARY).
        static NativeLog()
        {
            NativeLibraryResolver.Install();
        }

        /// <summary>
        /// Routes the library's events up to <paramref name="maxLevel"/> to
        /// <paramref name="sink"/>; a null sink makes the library silent again.
        /// Waits for deliveries in progress (the library's contract).
        /// </summary>
        internal static void Route(LogLevel maxLevel, Action<LogLevel, string> sink)
        {
            lock (Gate)
            {
                if (sink != null && !_unhookedAtExit)
                {
                    _unhookedAtExit = true;
                    // The runtime must not be called back while it shuts down.
                    AppDomain.CurrentDomain.ProcessExit += (s, e) => Route(0, null);
                }
                _sink = sink;
                NativeMethods.vd_broker_set_log_callback(sink == null ? null : Callback, sink == null ? 0 : (int)maxLevel, IntPtr.Zero);
            }
        }

        private static void Deliver(int level, IntPtr message, UIntPtr length, IntPtr userData)
        {
            // An exception must not unwind into the library.
            try
            {
                var bytes = new byte[checked((int)length.ToUInt64())];
                Marshal.Copy(message, bytes, 0, bytes.Length);
                _sink?.Invoke((LogLevel)level, Encoding.UTF8.GetString(bytes));
            }
            catch (Exception)
            {
            }
        }
    }
}
