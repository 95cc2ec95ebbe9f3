//! Wiping the bytes of a request or an answer once they are done with, at
//! the speed of `memset`.
//!
//! The zeroize crate wipes with a volatile store per byte: on a cold call
//! that is a few thousand instructions for the request and the answer alone.
//! libc's `explicit_bzero` gives the same promise — the stores are not
//! dropped as dead — many bytes at a time.

use std::ops::{Deref, DerefMut};

/// Zeroes `bytes`; the compiler may not leave the stores out.
pub(crate) fn wipe(bytes: &mut [u8]) {
    // SAFETY: `bytes` is writable for its length.
    unsafe { libc::explicit_bzero(bytes.as_mut_ptr().cast(), bytes.len()) }
}

/// A byte vector wiped, over its whole capacity, when dropped.
#[derive(Default)]
pub(crate) struct WipedBytes(Vec<u8>);

impl WipedBytes {
    pub fn with_capacity(capacity: usize) -> WipedBytes {
        WipedBytes(Vec::with_capacity(capacity))
    }
}

impl Deref for WipedBytes {
    type Target = Vec<u8>;
    fn deref(&self) -> &Vec<u8> {
        &self.0
    }
}

impl DerefMut for WipedBytes {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }
}

impl Drop for WipedBytes {
    fn drop(&mut self) {
        // A read can leave bytes in the spare capacity past `len` too.
        // SAFETY: the allocation is writable for its whole capacity.
        unsafe { libc::explicit_bzero(self.0.as_mut_ptr().cast(), self.0.capacity()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wipe_zeroes_every_byte() {
        let mut bytes = *b"Bearer vd_iat_secret";
        wipe(&mut bytes[7..]);
        assert_eq!(&bytes[..7], b"Bearer ");
        assert!(bytes[7..].iter().all(|b| *b == 0));
    }

    #[test]
    fn wiped_bytes_hold_what_is_written_into_them() {
        let mut bytes = WipedBytes::with_capacity(4);
        bytes.extend_from_slice(b"token");
        assert_eq!(&bytes[..], b"token");
        bytes.truncate(2);
        assert_eq!(&bytes[..], b"to");
    }
}
