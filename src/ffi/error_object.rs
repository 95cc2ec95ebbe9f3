//! `vd_broker_error`: a failure handed to the caller as an object the
//! library owns — status, message and HTTP status in one struct, allocated
//! only when a call fails.

use std::ffi::CString;
use std::os::raw::c_char;

use super::args::put;
use super::boundary::{call_infallible, guarded};
use super::status::OK;
use crate::error::Error;

/// A failed call's error, read through its fields and released with
/// `vd_broker_error_free`. The preferred calls (`vd_broker_client_create`,
/// `vd_broker_client_fetch_token`, `vd_broker_client_fetch_odbc_token`)
/// store one in `*out_error` when, and only when, they fail.
#[repr(C)]
pub struct vd_broker_error {
    /// The call's status, never `VD_BROKER_OK`; classify it with the
    /// `vd_broker_status_is_*` functions.
    pub status: i32,
    /// The HTTP status the broker or helper answered when the failure was
    /// such an answer (401, 503 after retries, ...), else 0.
    pub http_status: u16,
    /// What went wrong and what to do, NUL-terminated UTF-8, valid until the
    /// error is freed. Never holds the bearer or a token.
    pub message: *const c_char,
}

/// The allocation behind a `vd_broker_error *`: the struct first, so the
/// pointer handed out is the allocation's.
#[repr(C)]
struct Owned {
    public: vd_broker_error,
    message: CString,
}

impl Owned {
    fn boxed(error: &Error) -> *mut vd_broker_error {
        // A message never holds a NUL (it is built from UTF-8 text that the
        // C strings it came from could not hold one in); cut at one anyway.
        let text = error.message().split('\0').next().unwrap_or_default();
        let message = CString::new(text).unwrap_or_default();
        let public = vd_broker_error {
            status: error.kind().code(),
            http_status: error.http_status().unwrap_or(0),
            message: message.as_ptr(),
        };
        Box::into_raw(Box::new(Owned { public, message })).cast()
    }
}

/// Runs `body` for a preferred call: `*out_error` (when `out_error` is not
/// NULL) is set to NULL, and on failure to the new error object; the status
/// is returned either way.
///
/// # Safety
/// `out_error` is NULL or valid for one write.
pub(crate) unsafe fn call_with_error_object(
    out_error: *mut *mut vd_broker_error,
    body: impl FnOnce() -> Result<(), Error>,
) -> i32 {
    put(out_error, std::ptr::null_mut());
    match guarded(body) {
        Ok(()) => OK,
        Err(error) => {
            if !out_error.is_null() {
                out_error.write(Owned::boxed(&error));
            }
            error.kind().code()
        }
    }
}

/// Frees an error from a preferred call. NULL is a no-op.
///
/// # Safety
/// `error` is NULL or from a `vd_broker_*` call, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_error_free(error: *mut vd_broker_error) {
    if !error.is_null() {
        call_infallible((), || drop(Box::from_raw(error.cast::<Owned>())));
    }
}
