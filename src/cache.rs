//! The process-wide token cache, with single-flight minting.
//!
//! Every client in the process shares it, so two credentials (or a Python,
//! a Go and a C caller in one process) asking the same broker for the same
//! audience with the same bearer share one token. The key is the endpoint,
//! a digest of the bearer (a rotated bearer is a new key) and the request
//! body. Concurrent misses on one key make one request; the others wait for
//! it and share its token or its error.
//!
//! The map grows with use up to [`CAPACITY`] keys. Past it, one sweep drops
//! the expired entries, then the least recently used, down to
//! [`AFTER_SWEEP`]: the next sweep is at least `CAPACITY / 8` new keys away,
//! so eviction costs O(1) amortized per insert and there is no cliff where
//! every call misses. Evicted tokens are zeroed as their last holder drops
//! them (see [`AccessToken`]).

mod key;

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

pub(crate) use key::{CacheKey, KeyLookup, KeyScope};
use key::{KeyHasher, KeyParts};

use crate::error::{Error, ErrorKind};
use crate::fork::PerProcess;
use crate::token::{unix_now, AccessToken};

/// Keys kept at most. A token is a few KiB, so a full cache holds some MiB.
pub(crate) const CAPACITY: usize = 2048;
/// What a sweep leaves (expired first, then least recently used, go).
pub(crate) const AFTER_SWEEP: usize = CAPACITY - CAPACITY / 8;
/// After a proactive refresh failed, the still-valid token is served for
/// this long before the next refresh is tried (the broker may be down).
const REFRESH_RETRY_SECONDS: i64 = 30;

/// The cache of this process (a forked child starts with an empty one).
static CACHE: PerProcess<TokenCache> = PerProcess::new(TokenCache::default);

pub(crate) fn cache() -> &'static TokenCache {
    CACHE.get()
}

type Map = HashMap<CacheKey, Entry, BuildHasherDefault<KeyHasher>>;

#[derive(Default)]
pub(crate) struct TokenCache {
    entries: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    map: Map,
    /// A use counter for least-recently-used eviction (under the lock, so
    /// no shared atomic on the hit path).
    clock: u64,
}

impl Entries {
    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    /// The hit: one lookup, one reference count, no key copied. Marks the
    /// key used (also when it misses, for the caller's insert).
    fn hit(&mut self, key: &dyn KeyParts, now: i64) -> Option<AccessToken> {
        let stamp = self.tick();
        let entry = self.map.get_mut(key)?;
        entry.last_used = stamp;
        entry.serves(now).cloned()
    }
}

#[derive(Default)]
struct Entry {
    token: Option<AccessToken>,
    flight: Option<Arc<Flight>>,
    /// No proactive refresh before this Unix second.
    refresh_not_before: i64,
    last_used: u64,
}

impl Entry {
    /// The token to hand out without minting: valid, and not due for a
    /// refresh (or due, with the refresh already in flight).
    fn serves(&self, now: i64) -> Option<&AccessToken> {
        let token = self.token.as_ref().filter(|t| !t.is_expired(now))?;
        let refresh_due = now >= token.refresh_on() && now >= self.refresh_not_before;
        (!refresh_due || self.flight.is_some()).then_some(token)
    }
}

/// One mint in progress that others may wait for.
#[derive(Default)]
struct Flight {
    outcome: Mutex<Option<Result<AccessToken, Error>>>,
    done: Condvar,
}

enum Next {
    Lead(Arc<Flight>, Refresh),
    Wait(Arc<Flight>),
}

/// Why a mint happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refresh {
    /// No usable token: the caller needs this one.
    Needed,
    /// The cached token is still valid but due for refresh.
    Proactive,
}

impl TokenCache {
    /// The cached token for `key` when it need not be refreshed; otherwise the
    /// result of `mint` — called by one thread per key at a time; the others
    /// wait (until `deadline`) and share its result. `mint` is told whether
    /// it refreshes a still-valid token; when such a refresh fails, the
    /// cached token is returned.
    pub fn get_or_mint(
        &self,
        key: &CacheKey,
        deadline: Instant,
        mint: impl FnOnce(Refresh) -> Result<AccessToken, Error>,
    ) -> Result<AccessToken, Error> {
        let now = unix_now();
        let next = {
            let mut entries = self.lock();
            if let Some(token) = entries.hit(key, now) {
                return Ok(token);
            }
            let stamp = entries.clock;
            let entry = entries.map.entry(key.clone()).or_default();
            entry.last_used = stamp;
            let valid = entry.token.as_ref().is_some_and(|t| !t.is_expired(now));
            let refresh = if valid { Refresh::Proactive } else { Refresh::Needed };
            match &entry.flight {
                Some(flight) => Next::Wait(Arc::clone(flight)),
                None => {
                    let flight = Arc::new(Flight::default());
                    entry.flight = Some(Arc::clone(&flight));
                    Next::Lead(flight, refresh)
                }
            }
        };
        match next {
            Next::Wait(flight) => flight.wait(deadline),
            Next::Lead(flight, refresh) => {
                let mut landing = Landing { cache: self, key, flight, outcome: None };
                landing.outcome = Some(mint(refresh));
                landing.finish()
            }
        }
    }

    /// The cached token for `key` when it need not be refreshed, without
    /// minting: the warm path's whole cache work.
    pub fn cached(&self, key: &KeyLookup<'_>) -> Option<AccessToken> {
        self.lock().hit(key, unix_now())
    }

    /// Replaces the entry for `key` (a token minted outside the cache, as for
    /// a claims challenge).
    pub fn store(&self, key: &CacheKey, token: AccessToken) {
        let mut entries = self.lock();
        let stamp = entries.tick();
        let entry = entries.map.entry(key.clone()).or_default();
        entry.token = Some(token);
        entry.refresh_not_before = 0;
        entry.last_used = stamp;
        sweep(&mut entries.map, unix_now());
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        // Nothing panics while holding the lock; a poisoned map is still consistent.
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records the leader's outcome and tells the waiters.
    fn land(&self, key: &CacheKey, flight: &Flight, outcome: Result<AccessToken, Error>) -> Result<AccessToken, Error> {
        let now = unix_now();
        let shared = {
            let mut entries = self.lock();
            let entry = entries.map.entry(key.clone()).or_default();
            entry.flight = None;
            let shared = match outcome {
                Ok(token) => {
                    entry.token = Some(token.clone());
                    entry.refresh_not_before = 0;
                    Ok(token)
                }
                Err(error) => match entry.token.as_ref().filter(|t| !t.is_expired(now)) {
                    Some(still_valid) => {
                        entry.refresh_not_before = now + REFRESH_RETRY_SECONDS;
                        Ok(still_valid.clone())
                    }
                    None => {
                        entries.map.remove(key);
                        Err(error)
                    }
                },
            };
            sweep(&mut entries.map, now);
            shared
        };
        *flight.outcome.lock().unwrap_or_else(|p| p.into_inner()) = Some(shared.clone());
        flight.done.notify_all();
        shared
    }
}

/// The leader's duty to land its flight, kept even if `mint` panics, so no
/// waiter is left waiting and the key is not stuck.
struct Landing<'a> {
    cache: &'a TokenCache,
    key: &'a CacheKey,
    flight: Arc<Flight>,
    outcome: Option<Result<AccessToken, Error>>,
}

impl Landing<'_> {
    fn finish(mut self) -> Result<AccessToken, Error> {
        let outcome = self.outcome.take().expect("set before finish");
        self.cache.land(self.key, &self.flight, outcome)
    }
}

impl Drop for Landing<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let error = Error::new(ErrorKind::Panic, "the request this call was waiting for failed inside the library");
            let _ = self.cache.land(self.key, &self.flight, Err(error));
        }
    }
}

impl Flight {
    fn wait(&self, deadline: Instant) -> Result<AccessToken, Error> {
        let mut outcome = self.outcome.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(result) = outcome.as_ref() {
                return result.clone();
            }
            let Some(left) = crate::deadline::left(deadline) else {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    "timed out waiting for the broker: another request for the same token was \
                     still in flight when this call's timeout ran out",
                ));
            };
            outcome = self.done.wait_timeout(outcome, left).unwrap_or_else(|p| p.into_inner()).0;
        }
    }
}

/// Keeps the map within [`CAPACITY`]: past it, drops the expired entries,
/// then the least recently used, down to [`AFTER_SWEEP`]. Entries with a
/// mint in flight stay. O(n), once per `CAPACITY / 8` inserts at most.
fn sweep(map: &mut Map, now: i64) {
    if map.len() <= CAPACITY {
        return;
    }
    map.retain(|_, e| e.flight.is_some() || e.token.as_ref().is_some_and(|t| !t.is_expired(now)));
    if map.len() <= AFTER_SWEEP {
        return;
    }
    let excess = map.len() - AFTER_SWEEP;
    let mut stamps: Vec<u64> = map.values().filter(|e| e.flight.is_none()).map(|e| e.last_used).collect();
    // Stamps are unique: the `excess` smallest are exactly those below the cut.
    let cut = if excess < stamps.len() { *stamps.select_nth_unstable(excess).1 } else { u64::MAX };
    map.retain(|_, e| e.flight.is_some() || e.last_used >= cut);
}

#[cfg(test)]
mod tests;
