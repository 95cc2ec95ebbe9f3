using System;

namespace VibeData.Studio.AzureCredBroker.Interop
{
    /// <summary>
    /// Native status codes to this binding's exceptions: the same mapping every
    /// binding makes (refused input is an argument error, a refusal of the
    /// bearer an authentication failure, anything else a broker failure).
    /// </summary>
    internal static class StatusErrors
    {
        /// <summary>
        /// The exception for a failed call, or null for <see cref="BrokerStatusCode.Ok"/>.
        /// <paramref name="paramName"/> names the caller's argument that argument errors are about;
        /// <paramref name="httpStatus"/> is the broker's answer when the failure was one (0 otherwise).
        /// </summary>
        internal static Exception ToException(int status, string message, string paramName, ushort httpStatus = 0)
        {
            int? answered = httpStatus == 0 ? (int?)null : httpStatus;
            var code = (BrokerStatusCode)status;
            if (string.IsNullOrEmpty(message))
            {
                message = $"vd_broker failed with {StatusName(status)} and gave no message";
            }
            switch (code)
            {
                case BrokerStatusCode.Ok:
                    return null;
                case BrokerStatusCode.InvalidArgument:
                case BrokerStatusCode.InvalidUtf8:
                case BrokerStatusCode.Configuration:
                    return new StudioCredentialArgumentException(code, message, paramName);
                case BrokerStatusCode.ScopeNotAllowed:
                    return new ScopeNotAllowedException(message, paramName);
                case BrokerStatusCode.BrokerRejected:
                case BrokerStatusCode.AccessHelperRefused:
                    return new BrokerAuthenticationFailedException(code, message, answered);
                default:
                    return new StudioCredentialBrokerException(code, message, answered);
            }
        }

        /// <summary>The header's name of a status, e.g. <c>VD_BROKER_ERR_TIMEOUT</c>.</summary>
        internal static string StatusName(int status)
        {
            return Utf8.FromStatic(NativeMethods.vd_broker_status_name(status));
        }

        /// <summary>
        /// Throws for a failed options setter. Setters have no error buffer, so
        /// the message is this thread's last error, read at once on the thread
        /// that made the call (nothing runs in between to move or overwrite it).
        /// </summary>
        internal static void ThrowIfFailed(int status, string paramName)
        {
            if (status == (int)BrokerStatusCode.Ok)
            {
                return;
            }
            var message = new byte[NativeMethods.ErrorBufferSize];
            NativeMethods.vd_broker_last_error_message(message, (UIntPtr)message.Length, out _);
            throw ToException(status, Utf8.DecodeTerminated(message), paramName);
        }
    }
}
