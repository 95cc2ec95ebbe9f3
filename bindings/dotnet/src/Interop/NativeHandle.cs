using System;
using System.Runtime.InteropServices;

namespace VibeData.Studio.AzureCredBroker.Interop
{
    /// <summary>
    /// A pointer the library allocated and this side must free exactly once.
    /// The runtime counts the calls that hold it (every P/Invoke taking a
    /// handle), so disposing it during a call frees it only after that call.
    /// </summary>
    internal abstract class NativeHandle : SafeHandle
    {
        // The marshaller creates instances for out parameters and return values.
        protected NativeHandle()
            : base(IntPtr.Zero, ownsHandle: true)
        {
        }

        public override bool IsInvalid => handle == IntPtr.Zero;
    }
}
