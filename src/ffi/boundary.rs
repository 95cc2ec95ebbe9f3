//! The panic boundary and error reporting shared by every export.

use std::cell::RefCell;
use std::os::raw::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::args::{put, write_message};
use super::status::OK;
use crate::error::{Error, ErrorKind};

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Where a failing call also copies its message: a caller buffer, or nowhere.
#[derive(Clone, Copy)]
pub struct ErrorBuffer {
    pub buf: *mut c_char,
    pub len: usize,
}

impl ErrorBuffer {
    pub const NONE: ErrorBuffer = ErrorBuffer { buf: std::ptr::null_mut(), len: 0 };
}

/// Runs `body`, turning its error — or a panic — into a status code, the
/// thread's last error and, when given, the caller's error buffer.
pub fn call(errors: ErrorBuffer, body: impl FnOnce() -> Result<(), Error>) -> i32 {
    match guarded(body) {
        Ok(()) => OK,
        Err(error) => {
            // SAFETY: the caller promised `len` writable bytes at `buf` (or passed NULL).
            unsafe { write_message(errors.buf, errors.len, error.message()) };
            error.kind().code()
        }
    }
}

/// Runs `body` with a panic turned into a `Panic` error; a failure is also
/// kept as the thread's last error.
pub fn guarded<T>(body: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    let outcome = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| {
        crate::log::error!("a panic was caught at the C boundary (a bug in vd_broker; please report it)");
        Err(Error::new(
            ErrorKind::Panic,
            "internal error in vd_broker (a panic was caught at the C boundary; the process is \
             unaffected). Please report it",
        ))
    });
    if let Err(error) = &outcome {
        // A thread being torn down has no thread-locals left; the caller still gets the error.
        let _ = LAST_ERROR.try_with(|last| {
            let mut last = last.borrow_mut();
            last.clear();
            last.push_str(error.message());
        });
    }
    outcome
}

/// As [`call`], and stores in `*out_http_status` (when not NULL) the HTTP
/// status the broker or helper answered with when the failure was an answer,
/// 0 otherwise (and on success).
///
/// # Safety
/// `out_http_status` is NULL or valid for one write.
pub unsafe fn call_reporting_http_status(
    errors: ErrorBuffer,
    out_http_status: *mut u16,
    body: impl FnOnce() -> Result<(), Error>,
) -> i32 {
    let mut http_status = 0;
    let status = call(errors, || body().inspect_err(|e| http_status = e.http_status().unwrap_or(0)));
    put(out_http_status, http_status);
    status
}

/// Runs `body` where failure has no status to return (constructors, frees):
/// a panic is swallowed and `fallback` returned.
pub fn call_infallible<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// The last failure's message on this thread ("" if none).
pub fn last_error() -> String {
    LAST_ERROR.try_with(|last| last.borrow().clone()).unwrap_or_default()
}
