// The status list: every failure the library reports, written once.
//
// Both src/error.rs (the `ErrorKind` enum, status names, descriptions and
// classifiers) and build.rs (the `enum vd_broker_status` of
// include/vd_broker.h) `include!` this file, each with its own
// `status_list!` macro. Nothing else spells the statuses out.
//
// Each entry: the code, the C name after `VD_BROKER_`, the `ErrorKind`
// variant, its classes, and its description (the header's doc comment).
// Classes:
//   retriable      asking again later may succeed (a broker or network failure)
//   authentication the intent bearer was refused or could not be presented
//   configuration  the client's settings are missing or invalid
//   caller         the call itself was wrong (an argument, a buffer, a scope)
//   unavailable    (beside one of the above) Studio looks absent from this
//                  environment: no configuration, no bearer file, no broker
//                  listening — what a credential chain moves on from
//
// Codes never change meaning and are never reused. To retire one, keep its
// entry, rename it `ERR_RETIRED_<OLD_NAME>`, class it `retired` and say
// since when in its description: the entry keeps its number reserved (two
// entries with one code do not compile: they are one enum's discriminants).
// New codes are appended.
status_list! {
    1 ERR_INVALID_ARGUMENT InvalidArgument [caller]
        "A required argument is NULL, empty or out of range (no scope, a zero or negative timeout).";
    2 ERR_INVALID_UTF8 InvalidUtf8 [caller]
        "A string argument is not valid UTF-8.";
    3 ERR_BUFFER_TOO_SMALL BufferTooSmall [caller]
        "The output buffer is too small; the required length was reported and nothing was written to the buffer. Retry with a larger one.";
    4 ERR_CONFIGURATION Configuration [configuration unavailable]
        "The broker URL or credential file is missing, or a setting is invalid.";
    5 ERR_SCOPE_NOT_ALLOWED ScopeNotAllowed [caller]
        "The scope maps to no broker audience. The broker was not contacted.";
    6 ERR_CREDENTIAL_UNREADABLE CredentialUnreadable [authentication unavailable]
        "The credential (bearer) file could not be read.";
    7 ERR_CREDENTIAL_BLANK CredentialBlank [authentication]
        "The credential (bearer) file is empty.";
    8 ERR_BROKER_UNREACHABLE BrokerUnreachable [retriable unavailable]
        "The broker or runtime-access helper could not be reached (refused, DNS, reset).";
    9 ERR_BROKER_REJECTED BrokerRejected [authentication]
        "The broker answered 401 or 403: the intent bearer is expired, revoked or out of scope.";
    10 ERR_BROKER_STATUS BrokerStatus [retriable]
        "The broker answered another non-2xx status.";
    11 ERR_BROKER_RESPONSE BrokerResponse []
        "The broker answered 2xx with a body that is not a usable token answer.";
    12 ERR_TIMEOUT Timeout [retriable]
        "The call's timeout passed before an answer came.";
    13 ERR_ACCESS_HELPER_REFUSED AccessHelperRefused [authentication]
        "The runtime-access helper refused the request.";
    14 ERR_PANIC Panic []
        "An internal error (a bug) was caught at the boundary; the process is fine.";
}
