//! The token cache every process of one user shares, behind the process
//! cache: one broker request per token per container, however many
//! processes ask.
//!
//! The process cache (`cache`) is asked first and its hit path never comes
//! here. Its miss (or its due refresh) calls [`SharedCache::fetch`], which
//! reads the key's file in the directory (`dir`, `entry`); on a miss there,
//! the process that takes the key's lock (`lock`) mints and writes the file,
//! and the others wait — each within its own deadline — and read it. A due
//! refresh is made by the process that gets the lock; the others keep
//! serving the still-valid token. Nothing found in the directory fails a
//! call: an untrusted directory turns the shared cache off, an untrusted
//! file is a miss, an unusable lock means minting unlocked. Only waiting for
//! another process's slow mint can end in this call's timeout.
//!
//! Entries are sealed with a key derived from the bearer (`seal`): another
//! process of this uid, or another container sharing the directory, that
//! lacks the bearer finds only ciphertext. So only the broker route, which
//! has a bearer, uses this cache; the runtime-access helper's tokens are
//! not shared (see `Client::new`).

mod dir;
mod entry;
mod fs;
mod lock;
mod seal;

use std::path::Path;
use std::time::{Duration, Instant};

use crate::cache::{CacheKey, Refresh};
use crate::error::{Error, ErrorKind};
use crate::token::{unix_now, AccessToken};
use dir::Dir;
use entry::Entry;
use lock::{Attempt, MintLock};

/// How long a waiter sleeps between looks, at first and at most: a mint
/// takes milliseconds, and the sleeps must not add much to it.
const FIRST_PAUSE: Duration = Duration::from_millis(1);
const LONGEST_PAUSE: Duration = Duration::from_millis(20);

/// One client's handle on the shared cache directory.
pub(crate) struct SharedCache {
    dir: Dir,
}

impl SharedCache {
    /// The shared cache in `path`, or `None` (with one log note) when the
    /// directory cannot be created or trusted.
    pub fn open(path: &Path) -> Option<SharedCache> {
        match Dir::open(path) {
            Ok(dir) => Some(SharedCache { dir }),
            Err(why) => {
                note_off(path, &why);
                None
            }
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The token for `key` when the process cache had none to serve
    /// (`Refresh::Needed`) or its token is due (`Refresh::Proactive`): the
    /// shared file's, or `mint`'s, minted by one process at a time. `bearer`
    /// (the one `key` holds the digest of) seals and opens the entry.
    pub fn fetch(
        &self,
        key: &CacheKey,
        bearer: &[u8],
        deadline: Instant,
        refresh: Refresh,
        mint: impl FnOnce(Refresh) -> Result<AccessToken, Error>,
    ) -> Result<AccessToken, Error> {
        let entry = Entry::new(key, bearer);
        match entry.read(&self.dir, unix_now()) {
            Some(token) if !is_due(&token) => Ok(token),
            // Valid but due: whoever gets the lock refreshes; nobody waits.
            Some(still_valid) => match lock::try_lock(&self.dir, entry.stem()) {
                Attempt::Held(held) => self.refresh(&entry, Some(held), still_valid, refresh, mint),
                Attempt::Unusable => self.refresh(&entry, None, still_valid, refresh, mint),
                // The process cache then serves its own still-valid token
                // and asks again later; a caller that had none takes this one.
                Attempt::Busy if refresh == Refresh::Proactive => Err(refreshing_elsewhere()),
                Attempt::Busy => Ok(still_valid),
            },
            None => self.wait_or_mint(&entry, deadline, refresh, mint),
        }
    }

    /// Stores a token minted outside the cache (for a claims challenge), as
    /// the process cache does, sealed for `bearer`.
    pub fn store(&self, key: &CacheKey, bearer: &[u8], token: &AccessToken) {
        if Entry::new(key, bearer).write(&self.dir, token).is_ok() {
            dir::tidy(&self.dir, unix_now());
        }
    }

    /// Refreshes a due token (under the lock when it is usable), unless
    /// another process did so since this one looked. A failed refresh serves
    /// the old token to a caller that had none, and tells the process cache
    /// otherwise (which then serves its own).
    fn refresh(
        &self,
        entry: &Entry,
        held: Option<MintLock>,
        still_valid: AccessToken,
        refresh: Refresh,
        mint: impl FnOnce(Refresh) -> Result<AccessToken, Error>,
    ) -> Result<AccessToken, Error> {
        if held.is_some() {
            if let Some(fresh) = entry.read(&self.dir, unix_now()).filter(|t| !is_due(t)) {
                return Ok(fresh);
            }
        }
        // One attempt, as for any proactive refresh: a valid token is at hand.
        match self.mint_and_store(entry, held, Refresh::Proactive, mint) {
            Err(_) if refresh == Refresh::Needed && !still_valid.is_expired(unix_now()) => Ok(still_valid),
            outcome => outcome,
        }
    }

    /// No usable entry: take the lock and mint, or wait for the process
    /// that holds it and read what it wrote — until `deadline`. A process
    /// that still has a valid token of its own (`Refresh::Proactive`) does
    /// not wait: it keeps serving that one.
    fn wait_or_mint(
        &self,
        entry: &Entry,
        deadline: Instant,
        refresh: Refresh,
        mint: impl FnOnce(Refresh) -> Result<AccessToken, Error>,
    ) -> Result<AccessToken, Error> {
        let mut pause = FIRST_PAUSE;
        loop {
            match lock::try_lock(&self.dir, entry.stem()) {
                Attempt::Held(held) => {
                    // The holder before us may have just written it.
                    if let Some(token) = entry.read(&self.dir, unix_now()) {
                        return Ok(token);
                    }
                    return self.mint_and_store(entry, Some(held), refresh, mint);
                }
                Attempt::Unusable => return self.mint_and_store(entry, None, refresh, mint),
                Attempt::Busy if refresh == Refresh::Proactive => return Err(refreshing_elsewhere()),
                Attempt::Busy => {
                    if let Some(token) = entry.read(&self.dir, unix_now()) {
                        return Ok(token);
                    }
                    let Some(left) = crate::deadline::left(deadline) else {
                        return Err(Error::new(
                            ErrorKind::Timeout,
                            "timed out waiting for the broker: another process was still minting \
                             the same token (shared token cache) when this call's timeout ran out",
                        ));
                    };
                    std::thread::sleep(pause.min(left));
                    pause = (pause * 2).min(LONGEST_PAUSE);
                }
            }
        }
    }

    /// Mints, writes the entry, releases the lock, then tidies (with the
    /// lock released, so waiters read the entry at once). Writing is best
    /// effort: a full or broken directory costs other processes a mint,
    /// never this call. After a failure the lock file goes too: no entry
    /// is left for it to guard.
    fn mint_and_store(
        &self,
        entry: &Entry,
        held: Option<MintLock>,
        refresh: Refresh,
        mint: impl FnOnce(Refresh) -> Result<AccessToken, Error>,
    ) -> Result<AccessToken, Error> {
        let outcome = mint(refresh);
        match &outcome {
            Ok(token) => {
                let stored = entry.write(&self.dir, token).is_ok();
                drop(held);
                if stored {
                    dir::tidy(&self.dir, unix_now());
                }
            }
            Err(_) => {
                if let Some(held) = held {
                    held.release_and_remove(&self.dir, entry.stem());
                }
            }
        }
        outcome
    }
}

fn is_due(token: &AccessToken) -> bool {
    unix_now() >= token.refresh_on()
}

fn refreshing_elsewhere() -> Error {
    Error::new(
        ErrorKind::Timeout,
        "another process is refreshing this token (shared token cache); the current one is still valid",
    )
}

/// The one log note (a warning through the log hook) when the shared cache
/// is off because its directory cannot be used: once per directory per process.
fn note_off(path: &Path, why: &str) {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static NOTED: Mutex<Option<HashSet<std::path::PathBuf>>> = Mutex::new(None);
    let first = NOTED.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert_with(HashSet::new).insert(path.to_path_buf());
    // Emitted after the lock is released: a log handler may call the library.
    if first {
        crate::log::warning!("shared token cache off: {why} (each process now asks the broker for its own tokens)");
    }
}
