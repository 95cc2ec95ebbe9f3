namespace VibeData.Studio.AzureCredBroker
{
    /// <summary>
    /// The broker refused the intent bearer (HTTP 401 or 403: expired, revoked
    /// or out of scope; <see cref="BrokerStatusCode.BrokerRejected"/>) or the
    /// runtime-access helper refused the request
    /// (<see cref="BrokerStatusCode.AccessHelperRefused"/>). Retrying with the
    /// same bearer will not help; a new Studio intent session will.
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
