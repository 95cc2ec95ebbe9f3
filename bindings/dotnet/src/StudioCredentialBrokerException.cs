using System;
using Azure;

namespace VibeData.Studio.AzureCredBroker
{
    /// <summary>
    /// The credential could not get a token: the bearer file, the broker or the
    /// runtime-access helper failed. <see cref="Status"/> says which way; the
    /// message says what to do. Messages never contain the bearer or a token.
    /// Where the broker (or helper) answered, the answer is also an
    /// <see cref="RequestFailedException"/> in <see cref="Exception.InnerException"/>,
    /// with its HTTP status in <see cref="RequestFailedException.Status"/> — as
    /// Azure.Identity's <c>AuthenticationFailedException</c> carries a failed
    /// managed-identity answer.
    /// </summary>
    public class StudioCredentialBrokerException : Exception
    {
        /// <summary>A failure with the native library's status and message.</summary>
        public StudioCredentialBrokerException(BrokerStatusCode status, string message)
            : this(status, message, null)
        {
        }

        /// <summary>A failure with the native library's status, message and the broker's HTTP status.</summary>
        public StudioCredentialBrokerException(BrokerStatusCode status, string message, int? httpStatus)
            : base(message, httpStatus.HasValue ? new RequestFailedException(httpStatus.Value, message, null) : null)
        {
            Status = status;
            HttpStatus = httpStatus;
        }

        /// <summary>The native library's status code.</summary>
        public BrokerStatusCode Status { get; }

        /// <summary>
        /// The HTTP status the broker (or runtime-access helper) answered with,
        /// when the failure was such an answer (e.g. 401, or 503 after retries); otherwise null.
        /// </summary>
        public int? HttpStatus { get; }
    }
}
