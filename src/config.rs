//! Configuration: explicit options over environment variables.
//!
//! Each setting comes from an explicit [`Options`] field when it is given and
//! not empty, else from its environment variable. Everything is validated
//! once, when a client is built, so a bad value is refused before any request.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::audience::AudienceMap;
use crate::error::Error;

/// Broker base URL (newer Studio containers).
pub const ENV_BROKER_URL: &str = "VD_CREDENTIAL_BROKER_URL";
/// Broker base URL (older Studio containers); used when the newer name is unset.
pub const ENV_BROKER_URL_LEGACY: &str = "VD_AZ_TOKEN_URL";
/// File holding the `vd_iat_*` intent bearer.
pub const ENV_CREDENTIAL_FILE: &str = "VD_CREDENTIAL_FILE";
/// Broker lane, `user` or `service`.
pub const ENV_LANE: &str = "VD_CREDENTIAL_LANE";
/// Pinned configuration revision, an integer ≥ 0.
pub const ENV_CONFIGURATION_REVISION: &str = "VD_CREDENTIAL_CONFIGURATION_REVISION";
/// Unix socket of the runtime-access helper.
pub const ENV_RUNTIME_ACCESS_SOCKET: &str = "VD_RUNTIME_ACCESS_SOCKET";
/// Token cache switch: `0`/`false`/`off`/`no` turns it off.
pub const ENV_CACHE: &str = "VD_BROKER_CACHE";
/// Shared (per-user, cross-process) token cache switch: `0`/`false`/`off`/`no` turns it off.
pub const ENV_SHARED_CACHE: &str = "VD_BROKER_SHARED_CACHE";
/// The shared token cache's directory (default `$XDG_RUNTIME_DIR/vd_broker`,
/// else `/dev/shm/vd_broker-<uid>`).
pub const ENV_CACHE_DIR: &str = "VD_BROKER_CACHE_DIR";

/// Where the runtime-access helper listens when `VD_RUNTIME_ACCESS_SOCKET` is unset.
pub const DEFAULT_RUNTIME_ACCESS_SOCKET: &str = "/run/vd-access/program.sock";
/// How long one `get_token` may take, retries included, unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Explicit settings for a [`Client`](crate::Client). `None` (or an empty
/// string) means "use the environment variable, else the default".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Broker base URL, e.g. `http://host.docker.internal:8000/api/v1/credential-broker`.
    pub broker_url: Option<String>,
    /// File holding the intent bearer, re-read on every call.
    pub credential_file: Option<PathBuf>,
    /// Overall timeout of one `get_token`, retries included. Default 10 s.
    pub timeout: Option<Duration>,
    /// `(resource, audience)` pairs merged over the default audience map.
    pub audience_overrides: Vec<(String, String)>,
    /// Token cache on (default) or off.
    pub cache: Option<bool>,
    /// Broker lane: `user` or `service`.
    pub lane: Option<String>,
    /// Pinned configuration revision, ≥ 0.
    pub configuration_revision: Option<i64>,
    /// Runtime-access helper socket.
    pub runtime_access_socket: Option<PathBuf>,
    /// The token cache shared by this user's processes on (default) or off.
    /// Off with the token cache too.
    pub shared_cache: Option<bool>,
    /// The shared token cache's directory.
    pub shared_cache_dir: Option<PathBuf>,
}

/// The lane and revision newer brokers expect in every request body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CredentialContext {
    pub lane: String,
    pub configuration_revision: i64,
}

/// Validated settings of one client.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub broker_url: Option<String>,
    pub credential_file: Option<PathBuf>,
    pub timeout: Duration,
    pub audiences: AudienceMap,
    pub cache: bool,
    /// The shared cache's directory; `None` when the shared cache is off.
    pub shared_cache_dir: Option<PathBuf>,
    pub context: Option<CredentialContext>,
    pub runtime_access_socket: PathBuf,
    /// The helper's socket existed when the configuration was read: mint
    /// through it. Decided once, so the route and the validation agree.
    pub use_access_helper: bool,
}

impl Config {
    /// Validates `options` over the process environment.
    pub fn from_options(options: &Options) -> Result<Config, Error> {
        Config::resolve(options, |name| std::env::var(name).ok())
    }

    /// Validates `options` over the variables `env` returns.
    pub fn resolve(options: &Options, env: impl Fn(&str) -> Option<String>) -> Result<Config, Error> {
        let env = |name: &str| env(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());

        let runtime_access_socket = non_empty_path(&options.runtime_access_socket)
            .or_else(|| env(ENV_RUNTIME_ACCESS_SOCKET).map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from(DEFAULT_RUNTIME_ACCESS_SOCKET));

        let broker_url = non_empty(&options.broker_url)
            .or_else(|| env(ENV_BROKER_URL))
            .or_else(|| env(ENV_BROKER_URL_LEGACY))
            .map(|url| normalise_broker_url(&url))
            .transpose()?;

        let credential_file = non_empty_path(&options.credential_file)
            .or_else(|| env(ENV_CREDENTIAL_FILE).map(PathBuf::from));

        let timeout = options.timeout.unwrap_or(DEFAULT_TIMEOUT);
        if timeout.is_zero() {
            return Err(invalid_timeout("0"));
        }

        let cache = match options.cache {
            Some(on) => on,
            None => env(ENV_CACHE).map(|v| parse_switch(ENV_CACHE, &v)).transpose()?.unwrap_or(true),
        };
        let shared_cache = cache
            && match options.shared_cache {
                Some(on) => on,
                None => env(ENV_SHARED_CACHE).map(|v| parse_switch(ENV_SHARED_CACHE, &v)).transpose()?.unwrap_or(true),
            };
        let shared_cache_dir = shared_cache.then(|| {
            non_empty_path(&options.shared_cache_dir)
                .or_else(|| env(ENV_CACHE_DIR).map(PathBuf::from))
                .unwrap_or_else(|| default_cache_dir(env("XDG_RUNTIME_DIR")))
        });

        let context = credential_context(
            non_empty(&options.lane).or_else(|| env(ENV_LANE)),
            options.configuration_revision,
            env(ENV_CONFIGURATION_REVISION),
        )?;

        if options.audience_overrides.iter().any(|(resource, _)| resource.trim().is_empty()) {
            return Err(Error::invalid_argument(
                "an audience override has an empty resource: give the Azure resource it maps, \
                 e.g. \"https://custom.example\"",
            ));
        }
        let audiences = AudienceMap::with_overrides(
            options.audience_overrides.iter().map(|(r, a)| (r.as_str(), a.as_str())),
        );

        // The helper holds the bearer and knows the broker: in a container
        // that has it, the two pointers may be absent. Only a socket is the
        // helper: a leftover file or directory at its path is not.
        let use_access_helper = is_socket(&runtime_access_socket);
        if !use_access_helper {
            if broker_url.is_none() {
                return Err(Error::configuration(format!(
                    "the broker URL is required: set the {ENV_BROKER_URL} environment variable \
                     (older containers: {ENV_BROKER_URL_LEGACY}) or the broker URL option to the \
                     Studio credential broker's base URL, e.g. \
                     http://host.docker.internal:8000/api/v1/credential-broker"
                )));
            }
            if credential_file.is_none() {
                return Err(Error::configuration(format!(
                    "the credential file is required: set the {ENV_CREDENTIAL_FILE} environment \
                     variable or the credential file option to the file holding the Studio intent \
                     bearer, e.g. /run/vd/credential"
                )));
            }
        }

        Ok(Config {
            broker_url,
            credential_file,
            timeout,
            audiences,
            cache,
            shared_cache_dir,
            context,
            runtime_access_socket,
            use_access_helper,
        })
    }
}

/// Whether `path` names a Unix socket (following symlinks).
fn is_socket(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata(path).is_ok_and(|m| m.file_type().is_socket())
}

fn non_empty(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

fn non_empty_path(value: &Option<PathBuf>) -> Option<PathBuf> {
    value.as_deref().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf)
}

fn normalise_broker_url(url: &str) -> Result<String, Error> {
    let url = url.trim_end_matches('/');
    let parsed: Result<ureq::http::Uri, _> = url.parse();
    let valid = match &parsed {
        Ok(uri) => {
            matches!(uri.scheme_str(), Some("http") | Some("https"))
                && uri.host().is_some_and(|h| !h.is_empty())
                && uri.query().is_none()
        }
        Err(_) => false,
    };
    if !valid {
        let url = crate::redact::url_without_userinfo(url);
        return Err(Error::configuration(format!(
            "broker URL {url:?} is not an http:// or https:// URL with a host and no query; \
             expected e.g. http://host.docker.internal:8000/api/v1/credential-broker"
        )));
    }
    Ok(url.to_string())
}

fn parse_switch(name: &str, value: &str) -> Result<bool, Error> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "on" | "yes" => Ok(true),
        "0" | "false" | "off" | "no" => Ok(false),
        _ => Err(Error::configuration(format!("{name}={value:?} is not a switch: use 1/true/on or 0/false/off"))),
    }
}

/// `$XDG_RUNTIME_DIR/vd_broker` (a per-user tmpfs, when the session has one
/// and names it absolutely), else `/dev/shm/vd_broker-<euid>`.
fn default_cache_dir(runtime_dir: Option<String>) -> PathBuf {
    match runtime_dir.map(PathBuf::from).filter(|dir| dir.is_absolute()) {
        Some(dir) => dir.join("vd_broker"),
        // SAFETY: geteuid cannot fail.
        None => PathBuf::from(format!("/dev/shm/vd_broker-{}", unsafe { libc::geteuid() })),
    }
}

/// A configuration revision given as text (the environment variable, or a
/// binding's string option), with the same rules for both.
pub(crate) fn parse_revision(text: &str) -> Result<i64, Error> {
    match text.trim().parse::<i64>() {
        Ok(r) if r >= 0 => Ok(r),
        _ => Err(revision_error(&format!("{text:?}"))),
    }
}

fn revision_error(shown: &str) -> Error {
    Error::configuration(format!(
        "the configuration revision (option or {ENV_CONFIGURATION_REVISION}) must be a \
         non-negative integer, not {shown}"
    ))
}

/// A client timeout given in seconds, as every binding holds it: positive
/// and finite, else refused with the one message every language shows.
pub(crate) fn timeout_from_seconds(seconds: f64) -> Result<Duration, Error> {
    match Duration::try_from_secs_f64(seconds) {
        Ok(timeout) if !timeout.is_zero() => Ok(timeout),
        _ => Err(invalid_timeout(&seconds.to_string())),
    }
}

fn invalid_timeout(shown: &str) -> Error {
    Error::invalid_argument(format!(
        "the timeout option must be a positive number of seconds, not {shown}; leave it unset \
         for the default of 10 s"
    ))
}

fn credential_context(
    lane: Option<String>,
    explicit_revision: Option<i64>,
    env_revision: Option<String>,
) -> Result<Option<CredentialContext>, Error> {
    let revision = match (explicit_revision, env_revision) {
        (Some(r), _) if r < 0 => return Err(revision_error(&r.to_string())),
        (Some(r), _) => Some(r),
        (None, Some(text)) => Some(parse_revision(&text)?),
        (None, None) => None,
    };
    match (lane, revision) {
        (None, None) => Ok(None),
        (Some(lane), Some(configuration_revision)) => {
            if lane != "user" && lane != "service" {
                return Err(Error::configuration(format!(
                    "the lane (option or {ENV_LANE}) must be either 'user' or 'service', not {lane:?}"
                )));
            }
            Ok(Some(CredentialContext { lane, configuration_revision }))
        }
        (Some(_), None) => Err(Error::configuration(format!(
            "the lane (option or {ENV_LANE}) is set but the configuration revision (option or \
             {ENV_CONFIGURATION_REVISION}) is not: the broker needs both, or neither"
        ))),
        (None, Some(_)) => Err(Error::configuration(format!(
            "the configuration revision (option or {ENV_CONFIGURATION_REVISION}) is set but the \
             lane (option or {ENV_LANE}) is not: the broker needs both, or neither"
        ))),
    }
}

#[cfg(test)]
mod tests;
