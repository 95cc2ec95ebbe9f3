namespace VibeData.Studio.AzureCredBroker
{
    /// <summary>
    /// The status codes of the native library (<c>enum vd_broker_status</c> in
    /// <c>vd_broker.h</c>), value for value: <c>VD_BROKER_ERR_SCOPE_NOT_ALLOWED</c>
    /// is <see cref="ScopeNotAllowed"/>. Codes never change meaning; a failure
    /// from a newer library may carry a value not named here.
    /// </summary>
    public enum BrokerStatusCode
    {
        /// <summary>Success.</summary>
        Ok = 0,

        /// <summary>A required argument is missing, empty or out of range (no scope, a zero timeout).</summary>
        InvalidArgument = 1,

        /// <summary>A string argument is not valid UTF-8.</summary>
        InvalidUtf8 = 2,

        /// <summary>The token did not fit the buffer even at the size the library asked for.</summary>
        BufferTooSmall = 3,

        /// <summary>The broker URL or credential file is missing, or a setting is invalid.</summary>
        Configuration = 4,

        /// <summary>The scope maps to no broker audience; the broker was not contacted.</summary>
        ScopeNotAllowed = 5,

        /// <summary>The credential (bearer) file could not be read.</summary>
        CredentialUnreadable = 6,

        /// <summary>The credential (bearer) file is empty.</summary>
        CredentialBlank = 7,

        /// <summary>The broker or runtime-access helper could not be reached.</summary>
        BrokerUnreachable = 8,

        /// <summary>The broker answered 401 or 403: the intent bearer is expired, revoked or out of scope.</summary>
        BrokerRejected = 9,

        /// <summary>The broker answered another non-2xx status.</summary>
        BrokerStatus = 10,

        /// <summary>The broker answered 2xx with a body that is not a usable token answer.</summary>
        BrokerResponse = 11,

        /// <summary>The timeout passed before an answer came.</summary>
        Timeout = 12,

        /// <summary>The runtime-access helper refused the request.</summary>
        AccessHelperRefused = 13,

        /// <summary>An internal error of the library was caught at its boundary; the process is fine.</summary>
        Panic = 14,
    }
}
