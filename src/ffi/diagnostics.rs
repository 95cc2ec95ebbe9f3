//! Version and the thread's last error.

use std::os::raw::c_char;

use super::args::{put, write_message};
use super::boundary::{call_infallible, last_error};

/// The library version, e.g. `"0.1.0"`, as a static NUL-terminated string the
/// caller must not free. Thread-safe; never fails.
#[no_mangle]
pub extern "C" fn vd_broker_version() -> *const c_char {
    const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    VERSION.as_ptr().cast()
}

/// Copies the message of the last failed call made on this thread into
/// `buf` (capacity `buf_len`), cut to fit and always NUL-terminated, and
/// stores the message's full length in bytes (without the NUL) in `*out_len`
/// when `out_len` is not NULL — like `snprintf`. An empty message means no
/// call on this thread has failed. `buf` may be NULL to learn the length.
///
/// Thread-local by design, which suits C callers. Runtimes that move work
/// between threads (Go, .NET async) must use the error buffer of the call
/// itself instead.
///
/// # Safety
/// `buf` is NULL or points to `buf_len` writable bytes; `out_len` is NULL or
/// valid for one write.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_last_error_message(buf: *mut c_char, buf_len: usize, out_len: *mut usize) {
    call_infallible((), || {
        let message = last_error();
        write_message(buf, buf_len, &message);
        put(out_len, message.len());
    })
}
