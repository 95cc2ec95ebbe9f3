//! Reading C arguments and writing C outputs, safely.

use std::ffi::CStr;
use std::os::raw::c_char;
use std::time::Duration;

use crate::error::{Error, ErrorKind};

/// A required string argument: NULL and non-UTF-8 are errors naming `what`.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string valid for `'a`.
pub unsafe fn required_str<'a>(ptr: *const c_char, what: &str) -> Result<&'a str, Error> {
    optional_str(ptr, what)?.ok_or_else(|| Error::invalid_argument(format!("{what} is NULL")))
}

/// An optional string argument: NULL is `None`, non-UTF-8 an error.
///
/// # Safety
/// As [`required_str`].
pub unsafe fn optional_str<'a>(ptr: *const c_char, what: &str) -> Result<Option<&'a str>, Error> {
    if ptr.is_null() {
        return Ok(None);
    }
    CStr::from_ptr(ptr)
        .to_str()
        .map(Some)
        .map_err(|_| Error::new(ErrorKind::InvalidUtf8, format!("{what} is not valid UTF-8")))
}

/// A per-call timeout in milliseconds; 0 means "the client's".
pub fn timeout_ms(ms: u64) -> Option<Duration> {
    (ms != 0).then(|| Duration::from_millis(ms))
}

/// Checks an output buffer before any work is done, so a NULL buffer fails
/// without minting a token. Any capacity passes, 0 included: a buffer too
/// small is found once the result is known, so that the length it needs can
/// be reported ([`copy_out`]).
pub fn check_output(buf: *const u8, what: &str) -> Result<(), Error> {
    if buf.is_null() {
        return Err(Error::invalid_argument(format!("{what} is NULL")));
    }
    Ok(())
}

/// Copies `bytes` into `buf` (capacity `capacity`) and, when `nul` is set,
/// a terminating NUL. Writes nothing to `buf` when it does not all fit. The
/// length of `bytes` goes to `*out_len` (when not NULL) either way: it is
/// what a caller needs to size a second try.
///
/// # Safety
/// `buf` points to `capacity` writable bytes; `out_len` is NULL or valid for one write.
pub unsafe fn copy_out(
    bytes: &[u8],
    nul: bool,
    buf: *mut u8,
    capacity: usize,
    out_len: *mut usize,
    what: &str,
) -> Result<(), Error> {
    put(out_len, bytes.len());
    let needed = bytes.len() + usize::from(nul);
    if needed > capacity {
        return Err(Error::new(
            ErrorKind::BufferTooSmall,
            format!(
                "{what} is too small: the result needs {needed} bytes{}, the buffer has {capacity}. \
                 Call again with a buffer of at least {needed} bytes",
                if nul { " including the NUL terminator" } else { "" }
            ),
        ));
    }
    std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf, bytes.len());
    if nul {
        *buf.add(bytes.len()) = 0;
    }
    Ok(())
}

/// Writes `value` through `out` when the caller gave somewhere to write it.
///
/// # Safety
/// `out` is NULL or valid for a write of `T`.
pub unsafe fn put<T>(out: *mut T, value: T) {
    if !out.is_null() {
        out.write(value);
    }
}

/// Copies as much of `message` as fits, cut at a character boundary, and a
/// NUL. Nothing happens for a NULL buffer or capacity 0.
///
/// # Safety
/// `buf` is NULL or points to `capacity` writable bytes.
pub unsafe fn write_message(buf: *mut c_char, capacity: usize, message: &str) {
    if buf.is_null() || capacity == 0 {
        return;
    }
    let mut end = message.len().min(capacity - 1);
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    std::ptr::copy_nonoverlapping(message.as_ptr(), buf.cast::<u8>(), end);
    *buf.add(end) = 0;
}
