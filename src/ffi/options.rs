//! `vd_broker_options`: explicit settings for a client, set one by one.

use std::os::raw::c_char;
use std::path::PathBuf;
use std::time::Duration;

use super::args::{optional_str, required_str};
use super::boundary::{call, call_infallible, ErrorBuffer};
use crate::client::Client;
use crate::config::{self, Options};
use crate::error::Error;

/// Explicit settings for `vd_broker_client_new`. Anything not set falls back
/// to its environment variable, then its default. Owned by the caller: free
/// with `vd_broker_options_free`. Not thread-safe: set it up on one thread,
/// then pass it to `vd_broker_client_new` (which copies it).
pub struct vd_broker_options {
    pub(crate) options: Options,
    /// The first setter failure, reported again by `vd_broker_client_create`:
    /// a binding checks once, not per setter. (`vd_broker_client_new` keeps
    /// its meaning: it builds from the settings that were taken.)
    pub(crate) refused: Option<Error>,
}

/// A new, empty set of options (everything from the environment). Returns
/// NULL only if the library failed internally.
#[no_mangle]
pub extern "C" fn vd_broker_options_new() -> *mut vd_broker_options {
    call_infallible(std::ptr::null_mut(), || {
        Box::into_raw(Box::new(vd_broker_options { options: Options::default(), refused: None }))
    })
}

/// Frees options from `vd_broker_options_new`. NULL is a no-op.
///
/// # Safety
/// `options` is NULL or from `vd_broker_options_new`, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_options_free(options: *mut vd_broker_options) {
    if !options.is_null() {
        call_infallible((), || drop(Box::from_raw(options)));
    }
}

/// Applies `set` to the options behind `options`. A setter fails only for a
/// NULL `options`, a NULL required string, a non-UTF-8 string or a value no
/// client could take; the first such failure is kept and reported again,
/// with its message, by `vd_broker_client_create` (which validates the rest).
unsafe fn update(options: *mut vd_broker_options, set: impl FnOnce(&mut Options) -> Result<(), Error>) -> i32 {
    call(ErrorBuffer::NONE, || match options.as_mut() {
        Some(options) => set(&mut options.options).inspect_err(|e| {
            options.refused.get_or_insert_with(|| e.clone());
        }),
        None => Err(Error::invalid_argument("options is NULL")),
    })
}

/// A client built from `options` (NULL: the environment alone), or the
/// first setter failure on them.
pub(crate) unsafe fn client_from(options: *const vd_broker_options) -> Result<Client, Error> {
    match options.as_ref() {
        None => Client::new(&Options::default()),
        Some(vd_broker_options { refused: Some(refused), .. }) => Err(refused.clone()),
        Some(options) => Client::new(&options.options),
    }
}

/// The broker's base URL (`/token` is appended); overrides
/// `VD_CREDENTIAL_BROKER_URL` and `VD_AZ_TOKEN_URL`. NULL or "" unsets it.
/// Validated by `vd_broker_client_new`.
///
/// # Safety
/// `options` is valid; `url` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_options_set_broker_url(options: *mut vd_broker_options, url: *const c_char) -> i32 {
    update(options, |o| {
        o.broker_url = optional_str(url, "the broker URL option")?.map(str::to_string);
        Ok(())
    })
}

/// The file holding the intent bearer, re-read on every call; overrides
/// `VD_CREDENTIAL_FILE`. NULL or "" unsets it.
///
/// # Safety
/// `options` is valid; `path` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_options_set_credential_file(
    options: *mut vd_broker_options,
    path: *const c_char,
) -> i32 {
    update(options, |o| {
        o.credential_file = optional_str(path, "the credential file option")?.map(PathBuf::from);
        Ok(())
    })
}

/// Overall timeout of one get-token call, retries included, in milliseconds
/// (default 10000). 0 is refused by `vd_broker_client_new`
/// (`VD_BROKER_ERR_INVALID_ARGUMENT`). Bindings, whose languages hold a
/// timeout as signed seconds, use `vd_broker_options_set_timeout_seconds`.
///
/// # Safety
/// `options` is valid.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_options_set_timeout_ms(options: *mut vd_broker_options, timeout_ms: u64) -> i32 {
    update(options, |o| {
        o.timeout = Some(Duration::from_millis(timeout_ms));
        Ok(())
    })
}

/// Maps `resource` (a scope; `/.default` and trailing `/` are ignored) to the
/// broker `audience`, over the defaults: an existing resource is overridden,
/// a new one added. A NULL or empty `audience` removes the resource. An
/// empty `resource` is refused by `vd_broker_client_new`.
///
/// The defaults, resource → audience:
/// - `https://database.windows.net` → `sql`
/// - `https://storage.azure.com` → `storage`
/// - `https://vault.azure.net` → `vault`
/// - `https://api.fabric.microsoft.com` → `fabric_api`
/// - `https://analysis.windows.net/powerbi/api` → `fabric_cli`
/// - `https://management.azure.com` → `arm`
///
/// and aliases, other identifiers of the same Entra audiences that tools ask
/// for, each following its resource (overridden or removed with it) unless
/// overridden itself:
/// - `https://management.core.windows.net` → `arm` (as `https://management.azure.com`)
///
/// # Safety
/// `options` is valid; `resource` a NUL-terminated string; `audience` NULL or one.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_options_set_audience(
    options: *mut vd_broker_options,
    resource: *const c_char,
    audience: *const c_char,
) -> i32 {
    update(options, |o| {
        let resource = required_str(resource, "an audience override's resource")?;
        let audience = optional_str(audience, "an audience override's audience")?.unwrap_or("");
        o.audience_overrides.push((resource.to_string(), audience.to_string()));
        Ok(())
    })
}

/// Turns the process-wide token cache on (the default) or off for this
/// client; overrides `VD_BROKER_CACHE`. Off, every call asks the broker
/// (the shared cache is off too).
///
/// # Safety
/// `options` is valid.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_options_set_cache(options: *mut vd_broker_options, enabled: bool) -> i32 {
    update(options, |o| {
        o.cache = Some(enabled);
        Ok(())
    })
}

/// Turns the token cache shared by this user's processes on (the default)
/// or off for this client; overrides `VD_BROKER_SHARED_CACHE`. Off, each
/// process asks the broker for its own tokens. With the token cache off
/// (`vd_broker_options_set_cache`), it is off too.
///
/// # Safety
/// `options` is valid.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_options_set_shared_cache(options: *mut vd_broker_options, enabled: bool) -> i32 {
    update(options, |o| {
        o.shared_cache = Some(enabled);
        Ok(())
    })
}

/// The shared token cache's directory; overrides `VD_BROKER_CACHE_DIR`
/// (default `$XDG_RUNTIME_DIR/vd_broker`, else `/dev/shm/vd_broker-<uid>`).
/// Created with mode 0700 if missing; used only if it is a directory (not a
/// symlink) of this user with mode 0700, else the shared cache is off for
/// the client. NULL or "" unsets it.
///
/// # Safety
/// `options` is valid; `path` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_options_set_shared_cache_dir(
    options: *mut vd_broker_options,
    path: *const c_char,
) -> i32 {
    update(options, |o| {
        o.shared_cache_dir = optional_str(path, "path")?.map(PathBuf::from);
        Ok(())
    })
}

/// The broker lane, `"user"` or `"service"`; overrides `VD_CREDENTIAL_LANE`.
/// Needs a configuration revision too. NULL or "" unsets it. Validated by
/// `vd_broker_client_new`.
///
/// # Safety
/// `options` is valid; `lane` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_options_set_lane(options: *mut vd_broker_options, lane: *const c_char) -> i32 {
    update(options, |o| {
        o.lane = optional_str(lane, "the lane option")?.map(str::to_string);
        Ok(())
    })
}

/// The pinned configuration revision (≥ 0); overrides
/// `VD_CREDENTIAL_CONFIGURATION_REVISION`. Needs a lane too. A negative
/// revision is refused by `vd_broker_client_new`
/// (`VD_BROKER_ERR_CONFIGURATION`).
///
/// # Safety
/// `options` is valid.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_options_set_configuration_revision(
    options: *mut vd_broker_options,
    revision: i64,
) -> i32 {
    update(options, |o| {
        o.configuration_revision = Some(revision);
        Ok(())
    })
}

/// The runtime-access helper's Unix socket; overrides
/// `VD_RUNTIME_ACCESS_SOCKET` (default `/run/vd-access/program.sock`). When
/// the socket exists as the client is created, tokens are minted through it.
/// NULL or "" unsets it.
///
/// # Safety
/// `options` is valid; `path` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_options_set_runtime_access_socket(
    options: *mut vd_broker_options,
    path: *const c_char,
) -> i32 {
    update(options, |o| {
        o.runtime_access_socket = optional_str(path, "the runtime-access socket option")?.map(PathBuf::from);
        Ok(())
    })
}

/// Overall timeout of one get-token call, retries included, in seconds —
/// as most languages hold it (preferred by bindings over
/// `vd_broker_options_set_timeout_ms`). A zero, negative or non-finite value
/// is refused (`VD_BROKER_ERR_INVALID_ARGUMENT`), and `vd_broker_client_create`
/// reports it with the core's message.
///
/// # Safety
/// `options` is valid.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_options_set_timeout_seconds(options: *mut vd_broker_options, seconds: f64) -> i32 {
    update(options, |o| {
        o.timeout = Some(config::timeout_from_seconds(seconds)?);
        Ok(())
    })
}

/// The pinned configuration revision given as text (e.g. `"7"`), read by the
/// rules of `VD_CREDENTIAL_CONFIGURATION_REVISION`: an integer ≥ 0, spaces
/// around it ignored. For bindings whose option accepts a string. Anything
/// else is refused (`VD_BROKER_ERR_CONFIGURATION`) and reported by
/// `vd_broker_client_create`. NULL or "" unsets it.
///
/// # Safety
/// `options` is valid; `revision` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_options_set_configuration_revision_text(
    options: *mut vd_broker_options,
    revision: *const c_char,
) -> i32 {
    update(options, |o| {
        let text = optional_str(revision, "the configuration revision option")?.filter(|t| !t.is_empty());
        o.configuration_revision = text.map(config::parse_revision).transpose()?;
        Ok(())
    })
}
