//! The cache's key: what identifies one token, hashed once per client and
//! audience (see [`KeyScope`]) so that a call hashes almost nothing.

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};
use std::sync::{Arc, OnceLock};

/// The part of a key fixed for one client and audience: built once, with
/// its (seeded SipHash) hash, so a call hashes nothing but 8 bytes of the
/// bearer's digest.
pub(crate) struct KeyScope {
    endpoint: Arc<str>,
    request: Arc<[u8]>,
    hash: u64,
}

impl KeyScope {
    pub fn new(endpoint: Arc<str>, request: Arc<[u8]>) -> KeyScope {
        let hash = seeds().0.hash_one((&*endpoint, &*request));
        KeyScope { endpoint, request, hash }
    }

    /// The request body (audience, lane, revision, scope).
    pub fn request(&self) -> &[u8] {
        &self.request
    }

    /// The key for this scope and bearer, to store under.
    pub fn key(&self, bearer_digest: Option<[u8; 32]>) -> CacheKey {
        let hash = self.hash_with(&bearer_digest);
        CacheKey { endpoint: Arc::clone(&self.endpoint), bearer_digest, request: Arc::clone(&self.request), hash }
    }

    /// The key for this scope and bearer, to look up with: borrowed, so a
    /// hit touches no reference count of the scope.
    pub fn lookup(&self, bearer_digest: Option<[u8; 32]>) -> KeyLookup<'_> {
        KeyLookup { scope: self, hash: self.hash_with(&bearer_digest), bearer_digest }
    }

    fn hash_with(&self, bearer_digest: &Option<[u8; 32]>) -> u64 {
        // The digest is SHA-256, so 8 of its bytes are already uniform; a
        // seeded multiply-fold keeps chosen bearers from aiming at one bucket.
        match bearer_digest {
            Some(digest) => {
                let word = u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"));
                let product = u128::from(word ^ seeds().1) * u128::from(self.hash | 1);
                (product as u64) ^ ((product >> 64) as u64)
            }
            None => self.hash,
        }
    }
}

/// This process's hash seeds (a forked child keeps them: its keys are its own).
fn seeds() -> &'static (RandomState, u64) {
    static SEEDS: OnceLock<(RandomState, u64)> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let state = RandomState::new();
        let word = state.hash_one(0x5eed_u64);
        (state, word)
    })
}

/// What identifies one cached token.
#[derive(Clone)]
pub(crate) struct CacheKey {
    /// The token URL, or the helper's socket.
    pub endpoint: Arc<str>,
    /// SHA-256 of the bearer; `None` when the helper holds it.
    pub bearer_digest: Option<[u8; 32]>,
    /// The request body (audience, lane, revision, scope).
    pub request: Arc<[u8]>,
    /// Of all the above, computed by [`KeyScope::key`].
    hash: u64,
}

/// What a key is compared and hashed by, whether owned ([`CacheKey`]) or
/// borrowed ([`KeyLookup`]): the map is looked up with either.
pub(crate) trait KeyParts {
    fn parts(&self) -> Parts<'_>;
}

pub(crate) struct Parts<'a> {
    endpoint: &'a Arc<str>,
    bearer_digest: &'a Option<[u8; 32]>,
    request: &'a Arc<[u8]>,
    hash: u64,
}

/// A key borrowed from its [`KeyScope`], for the hit path.
pub(crate) struct KeyLookup<'a> {
    scope: &'a KeyScope,
    bearer_digest: Option<[u8; 32]>,
    hash: u64,
}

impl KeyParts for CacheKey {
    fn parts(&self) -> Parts<'_> {
        Parts { endpoint: &self.endpoint, bearer_digest: &self.bearer_digest, request: &self.request, hash: self.hash }
    }
}

impl KeyParts for KeyLookup<'_> {
    fn parts(&self) -> Parts<'_> {
        let scope = self.scope;
        Parts { endpoint: &scope.endpoint, bearer_digest: &self.bearer_digest, request: &scope.request, hash: self.hash }
    }
}

impl PartialEq for dyn KeyParts + '_ {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.parts(), other.parts());
        a.hash == b.hash
            && a.bearer_digest == b.bearer_digest
            && (Arc::ptr_eq(a.request, b.request) || a.request == b.request)
            && (Arc::ptr_eq(a.endpoint, b.endpoint) || a.endpoint == b.endpoint)
    }
}

impl Eq for dyn KeyParts + '_ {}

impl Hash for dyn KeyParts + '_ {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.parts().hash);
    }
}

impl<'a> Borrow<dyn KeyParts + 'a> for CacheKey {
    fn borrow(&self) -> &(dyn KeyParts + 'a) {
        self
    }
}

// The owned key compares and hashes as its parts do, as `Borrow` requires.
impl PartialEq for CacheKey {
    fn eq(&self, other: &Self) -> bool {
        (self as &dyn KeyParts) == (other as &dyn KeyParts)
    }
}

impl Eq for CacheKey {}

impl Hash for CacheKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self as &dyn KeyParts).hash(state);
    }
}

/// Hands the key's precomputed hash to the map untouched.
#[derive(Default)]
pub(super) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `CacheKey` is hashed here, through `write_u64`; fold anything else anyway.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::TokenCache;
    use crate::token::{unix_now, AccessToken};
    use zeroize::Zeroizing;

    fn scope(body: &[u8]) -> KeyScope {
        KeyScope::new("http://b/token".into(), Arc::from(body))
    }

    #[test]
    fn a_borrowed_lookup_finds_exactly_what_an_owned_key_stored() {
        let cache = TokenCache::default();
        let stored = scope(b"{\"audience\":\"sql\"}");
        let now = unix_now();
        cache.store(&stored.key(Some([1; 32])), AccessToken::new(Zeroizing::new("t".into()), now + 3600, now + 3000));
        assert_eq!(cache.cached(&stored.lookup(Some([1; 32]))).unwrap().secret(), "t");
        // Equal parts in other allocations (another client's scope) are the same key.
        let twin = scope(b"{\"audience\":\"sql\"}");
        assert_eq!(cache.cached(&twin.lookup(Some([1; 32]))).unwrap().secret(), "t");
        // Any part that differs is another key.
        assert!(cache.cached(&stored.lookup(Some([2; 32]))).is_none());
        assert!(cache.cached(&stored.lookup(None)).is_none());
        assert!(cache.cached(&scope(b"{\"audience\":\"vault\"}").lookup(Some([1; 32]))).is_none());
        let elsewhere = KeyScope::new("http://c/token".into(), Arc::from(&b"{\"audience\":\"sql\"}"[..]));
        assert!(cache.cached(&elsewhere.lookup(Some([1; 32]))).is_none());
    }
}
