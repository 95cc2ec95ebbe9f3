namespace VibeData.Studio.AzureCredBroker.Interop
{
    /// <summary>Owns one <c>vd_broker_options</c>, which lives only while a client is built.</summary>
    internal sealed class OptionsHandle : NativeHandle
    {
        protected override bool ReleaseHandle()
        {
            NativeMethods.vd_broker_options_free(handle);
            return true;
        }
    }
}
