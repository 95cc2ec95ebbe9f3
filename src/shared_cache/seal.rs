//! The key an entry is sealed with: AES-256-GCM under a key derived from
//! the bearer that minted its token — HKDF-SHA256 over the bearer, with the
//! entry's name (the digest of its cache key) as info — so a process without
//! that bearer finds only ciphertext, and one with another bearer cannot
//! open the entry. ring's AEAD and HKDF (the library links ring through
//! rustls already). Every derived secret is wiped when dropped.

use std::mem::MaybeUninit;

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::hkdf::{Prk, Salt, HKDF_SHA256};
use ring::rand::{SecureRandom, SystemRandom};

use crate::wipe::wipe;

/// HKDF's salt: the purpose and format version, so keys derived for another
/// use of the bearer (or another format) differ.
const SALT: &[u8] = b"vd_broker shared cache entry v2";
pub(super) const TAG_LEN: usize = ring::aead::MAX_TAG_LEN;
pub(super) const NONCE_BYTES: usize = NONCE_LEN;

// The derived state is wiped in place (see `Wiped`): it must own nothing
// elsewhere, as ring's key types (fixed arrays) do not.
const _: () = assert!(!std::mem::needs_drop::<LessSafeKey>() && !std::mem::needs_drop::<Prk>());

/// A value of ring's whose bytes are zeroed when dropped. Held in a
/// `MaybeUninit`, which may hold any bytes, and never dropped as itself.
struct Wiped<T>(MaybeUninit<T>);

impl<T> Wiped<T> {
    fn new(value: T) -> Wiped<T> {
        Wiped(MaybeUninit::new(value))
    }

    fn get(&self) -> &T {
        // SAFETY: initialized by `new`; wiped only in `drop`.
        unsafe { self.0.assume_init_ref() }
    }
}

impl<T> Drop for Wiped<T> {
    fn drop(&mut self) {
        // SAFETY: the value's own bytes, writable; `T` has no drop glue
        // (asserted above for the types used), so nothing reads them again.
        let bytes = unsafe { std::slice::from_raw_parts_mut(self.0.as_mut_ptr().cast::<u8>(), std::mem::size_of::<T>()) };
        wipe(bytes);
    }
}

/// One entry's key, for one bearer.
pub(super) struct SealKey(Wiped<LessSafeKey>);

impl SealKey {
    /// The key for the entry named `name`, from `bearer`.
    pub fn derive(bearer: &[u8], name: &str) -> SealKey {
        let prk = Wiped::new(Salt::new(HKDF_SHA256, SALT).extract(bearer));
        let mut bytes = [0u8; 32];
        prk.get()
            .expand(&[name.as_bytes()], &AES_256_GCM)
            .and_then(|okm| okm.fill(&mut bytes))
            .expect("32 bytes are within HKDF-SHA256's output bound");
        let key = UnboundKey::new(&AES_256_GCM, &bytes).expect("AES-256-GCM takes 32 bytes");
        wipe(&mut bytes);
        SealKey(Wiped::new(LessSafeKey::new(key)))
    }

    /// Encrypts `in_out` in place and appends the tag; `nonce` is filled
    /// with fresh random bytes (false if the OS gave none).
    pub fn seal(&self, aad: &[u8], nonce: &mut [u8; NONCE_BYTES], in_out: &mut Vec<u8>) -> bool {
        if SystemRandom::new().fill(nonce).is_err() {
            return false;
        }
        let nonce = Nonce::assume_unique_for_key(*nonce);
        self.0.get().seal_in_place_append_tag(nonce, Aad::from(aad), in_out).is_ok()
    }

    /// Decrypts `in_out` (ciphertext then tag) in place: the plaintext, or
    /// `None` if it was not sealed with this key, this nonce and `aad`.
    pub fn open<'a>(&self, aad: &[u8], nonce: [u8; NONCE_BYTES], in_out: &'a mut [u8]) -> Option<&'a mut [u8]> {
        let nonce = Nonce::assume_unique_for_key(nonce);
        self.0.get().open_in_place(nonce, Aad::from(aad), in_out).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_same_bearer_and_name_open_an_entry() {
        let (aad, token) = (b"header".as_slice(), b"header.payload.signature".as_slice());
        let key = SealKey::derive(b"vd_iat_one", "ab");
        let mut nonce = [0u8; NONCE_BYTES];
        let mut sealed = token.to_vec();
        assert!(key.seal(aad, &mut nonce, &mut sealed));
        assert_eq!(sealed.len(), token.len() + TAG_LEN);
        assert!(!sealed.windows(8).any(|w| token.windows(8).any(|t| t == w)), "no run of the token survives");
        assert_eq!(key.open(aad, nonce, &mut sealed.clone()).as_deref(), Some(token));
        for other in [SealKey::derive(b"vd_iat_two", "ab"), SealKey::derive(b"vd_iat_one", "ac")] {
            assert!(other.open(aad, nonce, &mut sealed.clone()).is_none());
        }
        assert!(key.open(b"another header", nonce, &mut sealed.clone()).is_none());
    }
}
