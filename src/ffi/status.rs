//! Status codes: one per [`ErrorKind`], stable forever. A retired code stays
//! reserved; new codes are appended.

use std::ffi::CStr;
use std::os::raw::c_char;

use crate::error::ErrorKind;

/// The result of every `vd_broker_*` call that can fail. `VD_BROKER_OK` is 0;
/// every other value is a failure whose message is available from the call's
/// error buffer or from `vd_broker_last_error_message`.
#[allow(non_camel_case_types)]
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum vd_broker_status {
    /// Success.
    VD_BROKER_OK = 0,
    /// A required argument is NULL, empty or out of range (no scope, a zero timeout).
    VD_BROKER_ERR_INVALID_ARGUMENT = 1,
    /// A string argument is not valid UTF-8.
    VD_BROKER_ERR_INVALID_UTF8 = 2,
    /// The output buffer is too small; the required length was reported and
    /// nothing was written to the buffer. Retry with a larger one.
    VD_BROKER_ERR_BUFFER_TOO_SMALL = 3,
    /// The broker URL or credential file is missing, or a setting is invalid.
    VD_BROKER_ERR_CONFIGURATION = 4,
    /// The scope maps to no broker audience. The broker was not contacted.
    VD_BROKER_ERR_SCOPE_NOT_ALLOWED = 5,
    /// The credential (bearer) file could not be read.
    VD_BROKER_ERR_CREDENTIAL_UNREADABLE = 6,
    /// The credential (bearer) file is empty.
    VD_BROKER_ERR_CREDENTIAL_BLANK = 7,
    /// The broker or runtime-access helper could not be reached (refused, DNS, reset).
    VD_BROKER_ERR_BROKER_UNREACHABLE = 8,
    /// The broker answered 401 or 403: the intent bearer is expired, revoked or out of scope.
    VD_BROKER_ERR_BROKER_REJECTED = 9,
    /// The broker answered another non-2xx status.
    VD_BROKER_ERR_BROKER_STATUS = 10,
    /// The broker answered 2xx with a body that is not a usable token answer.
    VD_BROKER_ERR_BROKER_RESPONSE = 11,
    /// The call's timeout passed before an answer came.
    VD_BROKER_ERR_TIMEOUT = 12,
    /// The runtime-access helper refused the request.
    VD_BROKER_ERR_ACCESS_HELPER_REFUSED = 13,
    /// An internal error (a bug) was caught at the boundary; the process is fine.
    VD_BROKER_ERR_PANIC = 14,
}

use vd_broker_status::*;

impl From<ErrorKind> for vd_broker_status {
    fn from(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::InvalidArgument => VD_BROKER_ERR_INVALID_ARGUMENT,
            ErrorKind::InvalidUtf8 => VD_BROKER_ERR_INVALID_UTF8,
            ErrorKind::BufferTooSmall => VD_BROKER_ERR_BUFFER_TOO_SMALL,
            ErrorKind::Configuration => VD_BROKER_ERR_CONFIGURATION,
            ErrorKind::ScopeNotAllowed => VD_BROKER_ERR_SCOPE_NOT_ALLOWED,
            ErrorKind::CredentialUnreadable => VD_BROKER_ERR_CREDENTIAL_UNREADABLE,
            ErrorKind::CredentialBlank => VD_BROKER_ERR_CREDENTIAL_BLANK,
            ErrorKind::BrokerUnreachable => VD_BROKER_ERR_BROKER_UNREACHABLE,
            ErrorKind::BrokerRejected => VD_BROKER_ERR_BROKER_REJECTED,
            ErrorKind::BrokerStatus => VD_BROKER_ERR_BROKER_STATUS,
            ErrorKind::BrokerResponse => VD_BROKER_ERR_BROKER_RESPONSE,
            ErrorKind::Timeout => VD_BROKER_ERR_TIMEOUT,
            ErrorKind::AccessHelperRefused => VD_BROKER_ERR_ACCESS_HELPER_REFUSED,
            ErrorKind::Panic => VD_BROKER_ERR_PANIC,
        }
    }
}

impl vd_broker_status {
    /// Every status, in code order.
    pub(crate) const ALL: [vd_broker_status; 15] = [
        VD_BROKER_OK,
        VD_BROKER_ERR_INVALID_ARGUMENT,
        VD_BROKER_ERR_INVALID_UTF8,
        VD_BROKER_ERR_BUFFER_TOO_SMALL,
        VD_BROKER_ERR_CONFIGURATION,
        VD_BROKER_ERR_SCOPE_NOT_ALLOWED,
        VD_BROKER_ERR_CREDENTIAL_UNREADABLE,
        VD_BROKER_ERR_CREDENTIAL_BLANK,
        VD_BROKER_ERR_BROKER_UNREACHABLE,
        VD_BROKER_ERR_BROKER_REJECTED,
        VD_BROKER_ERR_BROKER_STATUS,
        VD_BROKER_ERR_BROKER_RESPONSE,
        VD_BROKER_ERR_TIMEOUT,
        VD_BROKER_ERR_ACCESS_HELPER_REFUSED,
        VD_BROKER_ERR_PANIC,
    ];

    /// The constant's name, e.g. `"VD_BROKER_ERR_TIMEOUT"`.
    pub fn name(self) -> &'static str {
        self.c_name().to_str().expect("status names are ASCII")
    }

    fn c_name(self) -> &'static CStr {
        match self {
            VD_BROKER_OK => c"VD_BROKER_OK",
            VD_BROKER_ERR_INVALID_ARGUMENT => c"VD_BROKER_ERR_INVALID_ARGUMENT",
            VD_BROKER_ERR_INVALID_UTF8 => c"VD_BROKER_ERR_INVALID_UTF8",
            VD_BROKER_ERR_BUFFER_TOO_SMALL => c"VD_BROKER_ERR_BUFFER_TOO_SMALL",
            VD_BROKER_ERR_CONFIGURATION => c"VD_BROKER_ERR_CONFIGURATION",
            VD_BROKER_ERR_SCOPE_NOT_ALLOWED => c"VD_BROKER_ERR_SCOPE_NOT_ALLOWED",
            VD_BROKER_ERR_CREDENTIAL_UNREADABLE => c"VD_BROKER_ERR_CREDENTIAL_UNREADABLE",
            VD_BROKER_ERR_CREDENTIAL_BLANK => c"VD_BROKER_ERR_CREDENTIAL_BLANK",
            VD_BROKER_ERR_BROKER_UNREACHABLE => c"VD_BROKER_ERR_BROKER_UNREACHABLE",
            VD_BROKER_ERR_BROKER_REJECTED => c"VD_BROKER_ERR_BROKER_REJECTED",
            VD_BROKER_ERR_BROKER_STATUS => c"VD_BROKER_ERR_BROKER_STATUS",
            VD_BROKER_ERR_BROKER_RESPONSE => c"VD_BROKER_ERR_BROKER_RESPONSE",
            VD_BROKER_ERR_TIMEOUT => c"VD_BROKER_ERR_TIMEOUT",
            VD_BROKER_ERR_ACCESS_HELPER_REFUSED => c"VD_BROKER_ERR_ACCESS_HELPER_REFUSED",
            VD_BROKER_ERR_PANIC => c"VD_BROKER_ERR_PANIC",
        }
    }
}

/// The name of a status constant, e.g. `"VD_BROKER_ERR_TIMEOUT"`, as a static
/// NUL-terminated string the caller must not free. Unknown values give
/// `"VD_BROKER_UNKNOWN_STATUS"`. Thread-safe; never fails.
#[no_mangle]
pub extern "C" fn vd_broker_status_name(status: i32) -> *const c_char {
    match vd_broker_status::ALL.iter().find(|s| **s as i32 == status) {
        Some(known) => known.c_name().as_ptr(),
        None => c"VD_BROKER_UNKNOWN_STATUS".as_ptr(),
    }
}
