namespace VibeData.Studio.AzureCredBroker.Interop
{
    /// <summary>Owns one <c>vd_broker_client</c>.</summary>
    internal sealed class ClientHandle : NativeHandle
    {
        protected override bool ReleaseHandle()
        {
            NativeMethods.vd_broker_client_free(handle);
            return true;
        }
    }
}
