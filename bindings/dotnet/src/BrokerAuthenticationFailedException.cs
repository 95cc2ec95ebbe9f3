namespace VibeData.Studio.AzureCredBroker
{
    /// <summary>
    /// The intent bearer was refused or could not be presented — every status
    /// the library classes as an authentication failure: the broker's 401 or
    /// 403 (<see cref="BrokerStatusCode.BrokerRejected"/>), a refusal of the
    /// runtime-access helper (<see cref="BrokerStatusCode.AccessHelperRefused"/>),
    /// or a bearer file that is unreadable or empty. Retrying with the same
    /// bearer will not help; a new Studio intent session will.
    /// </summary>
    public class BrokerAuthenticationFailedException : StudioCredentialBrokerException
    {
        /// <summary>A refusal with the native library's status and message.</summary>
        public BrokerAuthenticationFailedException(BrokerStatusCode status, string message)
            : base(status, message)
        {
        }

        /// <summary>A refusal with the native library's status, message and the HTTP status of the refusal.</summary>
        public BrokerAuthenticationFailedException(BrokerStatusCode status, string message, int? httpStatus)
            : base(status, message, httpStatus)
        {
        }
    }
}
