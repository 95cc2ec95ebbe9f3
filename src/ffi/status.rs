//! Status codes and their classifiers. The codes, names, descriptions and
//! classes all come from the one list in `src/status_list.rs` (through
//! [`ErrorKind`]); `enum vd_broker_status` in the header is generated from
//! it by build.rs.

use std::os::raw::c_char;

use crate::error::ErrorKind;

/// `VD_BROKER_OK`: the status of every call that succeeded.
pub(crate) const OK: i32 = 0;

/// The name of a status constant, e.g. `"VD_BROKER_ERR_TIMEOUT"`, as a static
/// NUL-terminated string the caller must not free. Unknown values give
/// `"VD_BROKER_UNKNOWN_STATUS"`. Thread-safe; never fails.
#[no_mangle]
pub extern "C" fn vd_broker_status_name(status: i32) -> *const c_char {
    match ErrorKind::from_code(status) {
        Some(kind) => kind.c_name().as_ptr(),
        None if status == OK => c"VD_BROKER_OK".as_ptr(),
        None => c"VD_BROKER_UNKNOWN_STATUS".as_ptr(),
    }
}

/// What a status means in one sentence, the header's description of it, as
/// a static NUL-terminated string the caller must not free (`"Success."` for
/// `VD_BROKER_OK`, `"Unknown status."` for a value this library does not
/// know). For the failure at hand, show the call's error message instead:
/// it says what went wrong and what to do.
#[no_mangle]
pub extern "C" fn vd_broker_status_description(status: i32) -> *const c_char {
    match ErrorKind::from_code(status) {
        Some(kind) => kind.c_description().as_ptr(),
        None if status == OK => c"Success.".as_ptr(),
        None => c"Unknown status.".as_ptr(),
    }
}

/// Whether `status` is a `classify` failure; false for OK and unknown values.
fn is(status: i32, classify: fn(ErrorKind) -> bool) -> bool {
    ErrorKind::from_code(status).is_some_and(classify)
}

/// Whether asking again later may succeed: the broker could not be reached,
/// answered a failing status (5xx and 429 after the library's own retries),
/// or the call timed out. The library has already retried within the call's
/// timeout; a caller's retry policy may try again later. False for OK and
/// for unknown values. Thread-safe; never fails.
#[no_mangle]
pub extern "C" fn vd_broker_status_is_retriable(status: i32) -> bool {
    is(status, ErrorKind::is_retriable)
}

/// Whether the intent bearer was refused (the broker's 401/403, a refusal
/// of the runtime-access helper) or could not be presented (its file
/// unreadable or empty). Asking again will not help until the Studio session
/// provides a valid bearer. Thread-safe; never fails.
#[no_mangle]
pub extern "C" fn vd_broker_status_is_authentication_failure(status: i32) -> bool {
    is(status, ErrorKind::is_authentication_failure)
}

/// Whether the client's settings are missing or invalid
/// (`VD_BROKER_ERR_CONFIGURATION`): fix the option or environment variable
/// the message names. Thread-safe; never fails.
#[no_mangle]
pub extern "C" fn vd_broker_status_is_configuration_error(status: i32) -> bool {
    is(status, ErrorKind::is_configuration_error)
}

/// Whether the call itself was wrong: a NULL, empty, out-of-range or
/// non-UTF-8 argument, a too-small buffer, or a scope that maps to no
/// audience. Fix the call. Thread-safe; never fails.
#[no_mangle]
pub extern "C" fn vd_broker_status_is_caller_error(status: i32) -> bool {
    is(status, ErrorKind::is_caller_error)
}

/// Whether VibeData Studio looks absent from this environment — the
/// configuration is missing or invalid (`VD_BROKER_ERR_CONFIGURATION`), the
/// bearer file cannot be read (`VD_BROKER_ERR_CREDENTIAL_UNREADABLE`) or no
/// broker answers (`VD_BROKER_ERR_BROKER_UNREACHABLE`) — rather than present
/// and failing. A credential chain (azure-identity's
/// `CredentialUnavailableError`) moves on to its next credential on these.
/// Orthogonal to the four classes above. Thread-safe; never fails.
#[no_mangle]
pub extern "C" fn vd_broker_status_is_unavailable(status: i32) -> bool {
    is(status, ErrorKind::is_unavailable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn text(ptr: *const c_char) -> &'static str {
        // SAFETY: the exports return static NUL-terminated strings.
        unsafe { CStr::from_ptr(ptr) }.to_str().unwrap()
    }

    #[test]
    fn names_and_descriptions_come_from_the_list() {
        assert_eq!(text(vd_broker_status_name(0)), "VD_BROKER_OK");
        assert_eq!(text(vd_broker_status_name(12)), "VD_BROKER_ERR_TIMEOUT");
        assert_eq!(text(vd_broker_status_name(999)), "VD_BROKER_UNKNOWN_STATUS");
        assert!(text(vd_broker_status_description(5)).starts_with("The scope maps to no broker audience"));
        let codes: Vec<i32> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes, (1..=14).collect::<Vec<_>>(), "codes are dense and in order");
    }

    #[test]
    fn every_failure_has_at_most_one_class_and_ok_has_none() {
        for &kind in ErrorKind::ALL {
            let code = kind.code();
            let classes = [
                vd_broker_status_is_retriable(code),
                vd_broker_status_is_authentication_failure(code),
                vd_broker_status_is_configuration_error(code),
                vd_broker_status_is_caller_error(code),
            ];
            assert!(classes.iter().filter(|c| **c).count() <= 1, "{kind:?}");
        }
        let unavailable: Vec<ErrorKind> =
            ErrorKind::ALL.iter().copied().filter(|k| vd_broker_status_is_unavailable(k.code())).collect();
        assert_eq!(unavailable, [ErrorKind::Configuration, ErrorKind::CredentialUnreadable, ErrorKind::BrokerUnreachable]);
        assert!(!vd_broker_status_is_unavailable(OK) && !vd_broker_status_is_unavailable(999));
        for code in [OK, -1, 999] {
            assert!(!vd_broker_status_is_retriable(code) && !vd_broker_status_is_caller_error(code));
        }
        assert!(vd_broker_status_is_retriable(ErrorKind::Timeout.code()));
        assert!(vd_broker_status_is_authentication_failure(ErrorKind::CredentialBlank.code()));
        assert!(vd_broker_status_is_configuration_error(ErrorKind::Configuration.code()));
        assert!(vd_broker_status_is_caller_error(ErrorKind::ScopeNotAllowed.code()));
    }
}
