//! A request's token. A token the process cache holds is answered inline,
//! on the connection's own task: no thread, and no wait behind any mint.
//! Otherwise one mint per resource runs on tokio's bounded blocking pool
//! (the core's call blocks on the bearer file and the broker), and every
//! request for that resource awaits it without holding a thread, so
//! requests waiting on a slow broker cannot use up the pool.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::watch;
use vd_broker::{AccessToken, Client, Error, TokenRequest};

/// A mint's outcome; `None` if it failed inside the endpoint (a panic).
pub type Outcome = Option<Result<AccessToken, Error>>;

/// The mints in flight, by resource as asked for.
#[derive(Default)]
pub struct Mints {
    flights: Mutex<HashMap<String, watch::Receiver<Option<Outcome>>>>,
}

impl Mints {
    /// The token for `resource`: the process cache's, or the outcome of
    /// the mint in flight for it (started here if none is).
    pub async fn token(self: &Arc<Self>, client: &Arc<Client>, resource: &str) -> Outcome {
        if let Some(token) = client.cached_token(&TokenRequest::new(resource)) {
            return Some(Ok(token));
        }
        let mut flight = self.join(client, resource);
        // `Err`: the mint's task ended without an outcome.
        let landed = flight.wait_for(Option::is_some).await.ok()?.clone();
        landed.flatten()
    }

    /// The flight for `resource`, started if there is none. The mint runs
    /// in a task of its own, so it lands (and leaves the map) even when
    /// every request waiting for it has gone.
    fn join(self: &Arc<Self>, client: &Arc<Client>, resource: &str) -> watch::Receiver<Option<Outcome>> {
        let mut flights = self.lock();
        if let Some(flight) = flights.get(resource) {
            return flight.clone();
        }
        let (landing, flight) = watch::channel(None);
        flights.insert(resource.to_string(), flight.clone());
        let (mints, client, scope) = (Arc::clone(self), Arc::clone(client), resource.to_string());
        tokio::spawn(async move {
            let minting = {
                let scope = scope.clone();
                tokio::task::spawn_blocking(move || client.get_token(&scope))
            };
            let outcome = minting.await.ok();
            // Out of the map first: a request after this starts a new
            // flight (or finds the token in the process cache).
            mints.lock().remove(&scope);
            let _ = landing.send(Some(outcome));
        });
        flight
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, watch::Receiver<Option<Outcome>>>> {
        // Nothing panics while holding it; the map stays consistent.
        self.flights.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
