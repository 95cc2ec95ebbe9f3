namespace VibeData.Studio.AzureCredBroker.Interop
{
    /// <summary>
    /// A native error object to this binding's exception, chosen by the
    /// library's own classification of its status (no table of statuses here):
    /// what the caller must fix is an argument error, a refused or unreadable
    /// bearer an authentication failure, anything else a broker failure.
    /// </summary>
    internal static class StatusErrors
    {
        /// <summary>
        /// The exception for <paramref name="error"/>, which it frees.
        /// <paramref name="paramName"/> names the caller's argument that argument errors are about.
        /// </summary>
        internal static System.Exception ToException(ErrorHandle error, string paramName)
        {
            vd_broker_error fields;
            string message;
            using (error)
            {
                fields = error.Fields;
                message = Utf8.FromStatic(fields.message);
            }
            var status = (BrokerStatusCode)fields.status;
            int? answered = fields.http_status == 0 ? (int?)null : fields.http_status;
            if (status == BrokerStatusCode.ScopeNotAllowed)
            {
                return new ScopeNotAllowedException(message, paramName);
            }
            if (status.IsConfigurationError() || status.IsCallerError())
            {
                return new StudioCredentialArgumentException(status, message, paramName);
            }
            return status.IsAuthenticationFailure()
                ? new BrokerAuthenticationFailedException(status, message, answered)
                : new StudioCredentialBrokerException(status, message, answered);
        }
    }
}
