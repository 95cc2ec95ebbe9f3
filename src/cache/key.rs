//! The cache's key: what identifies one token, hashed once per client and
//! audience (see [`KeyScope`]) so that a call hashes almost nothing.

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

    /// The key for this scope and bearer.
    pub fn key(&self, bearer_digest: Option<[u8; 32]>) -> CacheKey {
        // The digest is SHA-256, so 8 of its bytes are already uniform; a
        // seeded multiply-fold keeps chosen bearers from aiming at one bucket.
        let hash = match &bearer_digest {
            Some(digest) => {
                let word = u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"));
                let product = u128::from(word ^ seeds().1) * u128::from(self.hash | 1);
                (product as u64) ^ ((product >> 64) as u64)
            }
            None => self.hash,
        };
        CacheKey { endpoint: Arc::clone(&self.endpoint), bearer_digest, request: Arc::clone(&self.request), hash }
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

impl PartialEq for CacheKey {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash
            && self.bearer_digest == other.bearer_digest
            && (Arc::ptr_eq(&self.request, &other.request) || self.request == other.request)
            && (Arc::ptr_eq(&self.endpoint, &other.endpoint) || self.endpoint == other.endpoint)
    }
}

impl Eq for CacheKey {}

impl Hash for CacheKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
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
