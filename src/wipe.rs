//! Wiping the bytes of a request, an answer or a token once they are done
//! with, at the speed of `memset`.
//!
//! The zeroize crate wipes with a volatile store per byte: on a cold call
//! that is a few thousand instructions for the request, the answer and the
//! token alone.
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
        wipe_allocation(&mut self.0);
    }
}

/// Zeroes the whole of `bytes`'s allocation: what a read, a copy or a
/// truncation left past `len` too.
pub(crate) fn wipe_allocation(bytes: &mut Vec<u8>) {
    // SAFETY: the allocation is writable for its whole capacity.
    unsafe { libc::explicit_bzero(bytes.as_mut_ptr().cast(), bytes.capacity()) }
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
    fn a_whole_allocation_is_wiped_past_its_length() {
        let mut bytes = b"secret-token".to_vec();
        bytes.truncate(3);
        wipe_allocation(&mut bytes);
        // SAFETY: within the allocation, whose bytes were all initialized above.
        let all = unsafe { std::slice::from_raw_parts(bytes.as_ptr(), b"secret-token".len()) };
        assert!(all.iter().all(|b| *b == 0), "{all:?}");
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
