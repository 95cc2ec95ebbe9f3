//! The access token handed back to callers.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use zeroize::Zeroizing;

use crate::wipe::wipe_allocation;

/// An audience-bound Azure access token. Copies share one secret (a cache
/// hit costs no copy of it), which is zeroed when the last copy is dropped
/// and never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(Arc<Issued>);

#[derive(PartialEq, Eq)]
struct Issued {
    /// Wiped when dropped (see `Drop`).
    secret: String,
    expires_on: i64,
    refresh_on: i64,
}

impl Drop for Issued {
    fn drop(&mut self) {
        // SAFETY: zeroes are valid UTF-8, and the string is never read again.
        wipe_allocation(unsafe { self.secret.as_mut_vec() });
    }
}

impl AccessToken {
    pub(crate) fn new(mut secret: Zeroizing<String>, expires_on: i64, refresh_on: i64) -> Self {
        // Moved out, not copied: what is left behind is empty, and the token
        // is wiped (at memset speed) by `Issued` instead.
        let secret = std::mem::take(&mut *secret);
        AccessToken(Arc::new(Issued { secret, expires_on, refresh_on }))
    }

    /// The bearer token to send to the Azure service.
    pub fn secret(&self) -> &str {
        &self.0.secret
    }

    /// When the token stops working, in Unix seconds.
    pub fn expires_on(&self) -> i64 {
        self.0.expires_on
    }

    /// When a caller should get a fresh token, in Unix seconds (≤ `expires_on`).
    pub fn refresh_on(&self) -> i64 {
        self.0.refresh_on
    }

    pub(crate) fn is_expired(&self, now: i64) -> bool {
        now >= self.0.expires_on
    }

    /// How many copies share this secret (it is zeroed when the last goes).
    #[cfg(test)]
    pub(crate) fn holders(&self) -> usize {
        Arc::strong_count(&self.0)
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &"<redacted>")
            .field("expires_on", &self.0.expires_on)
            .field("refresh_on", &self.0.refresh_on)
            .finish()
    }
}

/// Unix seconds now.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}
