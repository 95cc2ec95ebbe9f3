//! What one get-token call did, told as events: a token minted, one served
//! from the cache, a proactive refresh, a failed refresh that served the
//! cached token, a failure. (Retries are told where they happen, in
//! `retry`; a client's route when it is built.)
//!
//! The client wraps each mint in [`CallEvents::mint`] and passes its result
//! through [`CallEvents::finish`]; both are told apart only here, outside
//! every lock of the cache, so a handler may call back into the library.

use std::cell::RefCell;

use super::{debug, info, warning};
use crate::cache::Refresh;
use crate::error::Error;
use crate::token::{unix_now, AccessToken};

/// One call's events.
pub(crate) struct CallEvents<'a> {
    scope: &'a str,
    /// What this call's own mint did, if it ran.
    minted: RefCell<Option<Minted>>,
}

enum Minted {
    Fresh(Refresh),
    /// A proactive refresh failed; the message says why.
    RefreshFailed(String),
}

impl<'a> CallEvents<'a> {
    pub fn new(scope: &'a str) -> Self {
        CallEvents { scope, minted: RefCell::new(None) }
    }

    /// Runs `mint` for this call, telling a proactive refresh as it starts.
    pub fn mint(
        &self,
        refresh: Refresh,
        mint: impl FnOnce(Refresh) -> Result<AccessToken, Error>,
    ) -> Result<AccessToken, Error> {
        if refresh == Refresh::Proactive {
            info!("refreshing the cached token for {} before it expires", self.scope);
        }
        let outcome = mint(refresh);
        *self.minted.borrow_mut() = Some(match (&outcome, refresh) {
            (Err(error), Refresh::Proactive) => Minted::RefreshFailed(error.message().to_string()),
            _ => Minted::Fresh(refresh),
        });
        outcome
    }

    /// Tells how the call ended, and hands its result on.
    pub fn finish(&self, outcome: Result<AccessToken, Error>) -> Result<AccessToken, Error> {
        let scope = self.scope;
        match (&outcome, self.minted.take()) {
            (Err(error), _) => warning!("no token for {scope}: {}", error.message()),
            (Ok(token), None) => debug!("token for {scope} served from the cache ({})", lifetime(token)),
            (Ok(token), Some(Minted::RefreshFailed(why))) => {
                let expires_in = token.expires_on() - unix_now();
                warning!("refreshing the token for {scope} failed ({why}); serving the cached token, which expires in {expires_in} s")
            }
            (Ok(token), Some(Minted::Fresh(refresh))) => {
                let what = if refresh == Refresh::Proactive { "refreshed" } else { "minted a fresh" };
                info!("{what} token for {scope} ({})", lifetime(token))
            }
        }
        outcome
    }
}

/// "expires in N s, refresh due in M s" (or "due now").
fn lifetime(token: &AccessToken) -> String {
    let now = unix_now();
    let refresh = match token.refresh_on() - now {
        due if due <= 0 => "refresh due now".to_string(),
        due => format!("refresh due in {due} s"),
    };
    format!("expires in {} s, {refresh}", token.expires_on() - now)
}
