using System;

namespace VibeData.Studio.AzureCredBroker
{
    /// <summary>
    /// The caller's input was refused before any request: a missing or invalid
    /// setting (<see cref="BrokerStatusCode.Configuration"/>, raised when the
    /// credential is constructed) or a missing scope or out-of-range argument
    /// (<see cref="BrokerStatusCode.InvalidArgument"/>,
    /// <see cref="BrokerStatusCode.InvalidUtf8"/>).
    /// </summary>
    public class StudioCredentialArgumentException : ArgumentException
    {
        /// <summary>A refusal with the native library's status and message, about <paramref name="paramName"/>.</summary>
        public StudioCredentialArgumentException(BrokerStatusCode status, string message, string paramName)
            : base(message, paramName)
        {
            Status = status;
        }

        /// <summary>The native library's status code.</summary>
        public BrokerStatusCode Status { get; }
    }
}
