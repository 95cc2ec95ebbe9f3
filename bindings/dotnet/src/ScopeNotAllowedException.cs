namespace VibeData.Studio.AzureCredBroker
{
    /// <summary>
    /// The requested scope maps to no broker audience (the message lists the
    /// known resources); the broker was not contacted. Ask for a known scope or
    /// add the resource to <see cref="StudioAzureCredBrokerOptions.AudienceMap"/>.
    /// </summary>
    public class ScopeNotAllowedException : StudioCredentialArgumentException
    {
        /// <summary>A refusal of the scope in <paramref name="paramName"/>.</summary>
        public ScopeNotAllowedException(string message, string paramName)
            : base(BrokerStatusCode.ScopeNotAllowed, message, paramName)
        {
        }
    }
}
