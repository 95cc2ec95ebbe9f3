//! A client: one configuration, one connection pool, and the request path
//! from scope to token, top to bottom.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::access_helper::AccessHelper;
use crate::audience::AudienceMap;
use crate::bearer::{Bearer, BearerFile};
use crate::broker::Broker;
use crate::cache::{cache, KeyScope, Refresh};
use crate::config::{Config, Options};
use crate::error::Error;
use crate::log::{self, events::CallEvents};
use crate::retry::{with_retries, MAX_ATTEMPTS, REFRESH_ATTEMPTS};
use crate::scope_table::ScopeTable;
use crate::shared_cache::SharedCache;
use crate::token::AccessToken;

/// One `get_token` call's parameters beyond the scope.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenRequest<'a> {
    /// The Azure scope, e.g. `https://storage.azure.com/.default`.
    pub scope: &'a str,
    /// A claims challenge (CAE). A request with claims skips the cache and
    /// replaces the cached token.
    pub claims: Option<&'a str>,
    /// A tighter timeout for this call (e.g. a caller's deadline); the
    /// client's timeout still bounds it.
    pub timeout: Option<Duration>,
}

impl<'a> TokenRequest<'a> {
    /// A request for `scope` with no claims and the client's own timeout.
    pub fn new(scope: &'a str) -> Self {
        TokenRequest { scope, ..TokenRequest::default() }
    }
}

/// Mints Azure tokens through the Studio broker (or the runtime-access
/// helper, when the container has one). Cheap to share between threads.
pub struct Client {
    config: Config,
    route: Route,
    /// For each resource of the map, its audience and request body with the
    /// fixed part of its cache key, built once: a cache hit hashes the
    /// resource once, does no JSON work and hashes only the bearer's digest.
    scopes: ScopeTable,
    /// The cache this user's processes share, behind the process cache;
    /// `None` when it is off, its directory cannot be trusted, or tokens
    /// come from the runtime-access helper.
    shared: Option<SharedCache>,
}

/// Mints a token for one cache key, as a first fetch or a proactive refresh.
type Mint<'a> = Box<dyn Fn(Refresh) -> Result<AccessToken, Error> + 'a>;

/// Where tokens come from, decided once when the client is built (as the
/// Python credential did): the helper if its socket exists, else the broker.
enum Route {
    Helper(AccessHelper),
    Broker { broker: Broker, bearer_file: BearerFile },
}

impl Route {
    fn name(&self) -> &'static str {
        match self {
            Route::Helper(_) => "runtime-access helper",
            Route::Broker { .. } => "credential broker",
        }
    }
}

impl Client {
    /// A client from explicit options over the environment.
    pub fn new(options: &Options) -> Result<Client, Error> {
        let config = Config::from_options(options)?;
        let route = if config.use_access_helper {
            Route::Helper(AccessHelper::new(&config.runtime_access_socket))
        } else {
            let url = config.broker_url.as_deref().expect("validated by Config");
            let path = config.credential_file.as_deref().expect("validated by Config");
            // Watched only when a cache can use the digest of an unchanged file.
            Route::Broker { broker: Broker::new(url)?, bearer_file: BearerFile::new(path, config.cache) }
        };
        let endpoint: Arc<str> = match &route {
            Route::Helper(helper) => format!("unix:{}", helper.socket().display()).into(),
            Route::Broker { broker, .. } => broker.token_url().into(),
        };
        log::info!("new client: tokens come from the {} at {endpoint}", route.name());
        let scopes = ScopeTable::new(&config.audiences, &endpoint, |audience| match &route {
            Route::Helper(_) => AccessHelper::request_body(audience),
            Route::Broker { .. } => Broker::request_body(audience, config.context.as_ref()),
        });
        // The shared cache's entries are sealed with a key derived from the
        // bearer. The helper route has no bearer, and no other secret that a
        // neighbour of the same uid could not also learn (its socket's path
        // and identity are visible to them): its tokens are not shared.
        // Each process asks the helper, on this machine, for its own.
        let shared = match &route {
            Route::Helper(_) => None,
            Route::Broker { .. } => config.shared_cache_dir.as_deref().and_then(SharedCache::open),
        };
        Ok(Client { config, route, scopes, shared })
    }

    /// A client configured from the environment only.
    pub fn from_env() -> Result<Client, Error> {
        Client::new(&Options::default())
    }

    /// A token for `scope`.
    pub fn get_token(&self, scope: &str) -> Result<AccessToken, Error> {
        self.request_token(&TokenRequest::new(scope))
    }

    /// A token for `request.scope`, honouring its claims and timeout.
    pub fn request_token(&self, request: &TokenRequest<'_>) -> Result<AccessToken, Error> {
        let events = CallEvents::new(request.scope);
        events.finish(self.obtain_token(request, &events))
    }

    fn obtain_token(&self, request: &TokenRequest<'_>, events: &CallEvents<'_>) -> Result<AccessToken, Error> {
        let scope = self.scopes.resolve(&self.config.audiences, request.scope)?.key();
        let timeout = self.timeout(request)?;
        if let Some(token) = self.warm_hit(request, scope) {
            return Ok(token);
        }
        let deadline = Instant::now() + timeout;

        let body = scope.request();
        let attempts = |refresh| if refresh == Refresh::Proactive { REFRESH_ATTEMPTS } else { MAX_ATTEMPTS };
        // Read on every call: a rotated bearer is a new cache key.
        let bearer = match &self.route {
            Route::Helper(_) => None,
            Route::Broker { bearer_file, .. } => Some(bearer_file.read(deadline)?),
        };
        // Only a client with a cache has a key to look up: one without never
        // hashes the bearer.
        let key = self.config.cache.then(|| scope.key(bearer.as_ref().map(Bearer::digest)));
        let mint: Mint<'_> = match (&self.route, &bearer) {
            (Route::Broker { broker, .. }, Some(bearer)) => {
                Box::new(move |refresh| with_retries(deadline, attempts(refresh), |left| broker.exchange(bearer, body, left)))
            }
            (Route::Helper(helper), _) => Box::new(move |refresh| with_retries(deadline, attempts(refresh), |left| helper.mint(body, left))),
            (Route::Broker { .. }, None) => unreachable!("the broker route reads its bearer above"),
        };

        let Some(key) = key else {
            return events.mint(Refresh::Needed, mint);
        };
        // The shared cache seals its entries with the bearer: the broker
        // route's alone (see `Client::new`).
        let shared = self.shared.as_ref().zip(bearer.as_ref());
        if request.claims.is_some() {
            let token = events.mint(Refresh::Needed, mint)?;
            cache().store(&key, token.clone());
            if let Some((shared, bearer)) = shared {
                shared.store(&key, bearer.as_str().as_bytes(), &token);
            }
            return Ok(token);
        }
        match shared {
            // Only a process-cache miss or due refresh reaches the shared cache.
            Some((shared, bearer)) => cache().get_or_mint(&key, deadline, |refresh| {
                shared.fetch(&key, bearer.as_str().as_bytes(), deadline, refresh, |refresh| events.mint(refresh, mint))
            }),
            None => cache().get_or_mint(&key, deadline, |refresh| events.mint(refresh, mint)),
        }
    }

    /// The warm path: the cached token for a bearer file whose watch proves
    /// it unchanged since it was read, with no look at the file. `None`
    /// sends the call down the full path, which reads the file.
    fn warm_hit(&self, request: &TokenRequest<'_>, scope: &KeyScope) -> Option<AccessToken> {
        let Route::Broker { bearer_file, .. } = &self.route else { return None };
        if !self.config.cache || request.claims.is_some() {
            return None;
        }
        cache().cached(&scope.lookup(Some(bearer_file.unchanged_digest()?)))
    }

    /// The token for `request.scope` when the process cache hands it out at
    /// once — no request, no wait for another call's mint — else `None`,
    /// also when the call would fail: [`Self::request_token`] then reports
    /// it. The bearer file is read unless its watch proves it unchanged, as
    /// by every call.
    pub fn cached_token(&self, request: &TokenRequest<'_>) -> Option<AccessToken> {
        if !self.config.cache || request.claims.is_some() {
            return None;
        }
        let timeout = self.timeout(request).ok()?;
        let scope = self.scopes.resolve(&self.config.audiences, request.scope).ok()?.key();
        let token = match self.warm_hit(request, scope) {
            Some(token) => token,
            None => {
                let digest = match &self.route {
                    Route::Helper(_) => None,
                    Route::Broker { bearer_file, .. } => Some(bearer_file.read(Instant::now() + timeout).ok()?.digest()),
                };
                cache().cached(&scope.lookup(digest))?
            }
        };
        CallEvents::new(request.scope).finish(Ok(token)).ok()
    }

    /// How long a call for `request` may take: its own timeout, within the client's.
    fn timeout(&self, request: &TokenRequest<'_>) -> Result<Duration, Error> {
        match request.timeout {
            Some(t) if t.is_zero() => Err(Error::invalid_argument("timeout must be greater than zero")),
            Some(t) => Ok(t.min(self.config.timeout)),
            None => Ok(self.config.timeout),
        }
    }

    /// The broker audience `scope` maps to, without asking the broker.
    pub fn audience_for(&self, scope: &str) -> Result<&str, Error> {
        self.scopes.resolve(&self.config.audiences, scope).map(|entry| entry.audience())
    }

    /// This client's resource → audience map.
    pub fn audiences(&self) -> &AudienceMap {
        &self.config.audiences
    }

    /// Whether this client mints through the runtime-access helper.
    pub fn uses_access_helper(&self) -> bool {
        matches!(self.route, Route::Helper(_))
    }

    /// Whether this client uses the token cache.
    pub fn caches(&self) -> bool {
        self.config.cache
    }

    /// The directory of the token cache this user's processes share, when
    /// this client uses it (it is off, or its directory was refused, if not).
    pub fn shared_cache_dir(&self) -> Option<&std::path::Path> {
        self.shared.as_ref().map(SharedCache::dir)
    }
}

// The C ABI hands one client to many threads at once.
const _: () = {
    const fn assert_thread_safe<T: Send + Sync>() {}
    assert_thread_safe::<Client>();
};
