//! `vd_broker_token` and the preferred get-token calls: one call, no
//! buffer to size, no error buffer to allocate on success.

use std::os::raw::c_char;

use super::args::{self, optional_str, required_str};
use super::boundary::call_infallible;
use super::client::{client_ref, vd_broker_client};
use super::error_object::{call_with_error_object, vd_broker_error};
use super::odbc::odbc_blob;
use crate::client::{Client, TokenRequest};
use crate::error::Error;
use crate::token::AccessToken;
use crate::wipe::WipedBytes;

/// A token the library owns, read through its fields and released — its
/// memory zeroed — by `vd_broker_token_free`.
#[repr(C)]
pub struct vd_broker_token {
    /// The secret, valid until the token is freed: from
    /// `vd_broker_client_fetch_token` the access token (NUL-terminated
    /// ASCII); from `vd_broker_client_fetch_odbc_token` the ODBC blob
    /// (binary: cast to `const uint8_t *`, use `secret_len` bytes).
    pub secret: *const c_char,
    /// The secret's length in bytes, without the NUL terminator.
    pub secret_len: usize,
    /// When the token expires, in Unix seconds.
    pub expires_on: i64,
    /// From when the token should be refreshed, in Unix seconds (never after `expires_on`).
    pub refresh_on: i64,
}

/// The allocation behind a `vd_broker_token *`: the struct first, so the
/// pointer handed out is the allocation's; the secret zeroed when dropped
/// (at `memset` speed: every warm call of a binding frees one).
#[repr(C)]
struct Owned {
    public: vd_broker_token,
    secret: WipedBytes,
}

/// Hands `bytes` (a secret) and `token`'s times to the caller, NUL-terminated.
unsafe fn hand_out(bytes: &[u8], token: &AccessToken, out_token: *mut *mut vd_broker_token) {
    let mut secret = WipedBytes::with_capacity(bytes.len() + 1);
    secret.extend_from_slice(bytes);
    secret.push(0);
    let public = vd_broker_token {
        secret: secret.as_ptr().cast(),
        secret_len: bytes.len(),
        expires_on: token.expires_on(),
        refresh_on: token.refresh_on(),
    };
    out_token.write(Box::into_raw(Box::new(Owned { public, secret })).cast());
}

/// A preferred call's client and request; `out_token` checked (and set to
/// NULL) first, so a NULL one fails without minting.
unsafe fn arguments<'a>(
    client: *const vd_broker_client,
    scope: *const c_char,
    claims: *const c_char,
    timeout_ms: u64,
    out_token: *mut *mut vd_broker_token,
) -> Result<(&'a Client, TokenRequest<'a>), Error> {
    if out_token.is_null() {
        return Err(Error::invalid_argument("out_token is NULL"));
    }
    out_token.write(std::ptr::null_mut());
    let client = client_ref(client)?;
    let claims = optional_str(claims, "claims")?;
    Ok((client, TokenRequest { scope: required_str(scope, "scope")?, claims, timeout: args::timeout_ms(timeout_ms) }))
}

/// The token for a preferred call's arguments.
unsafe fn fetch(
    client: *const vd_broker_client,
    scope: *const c_char,
    claims: *const c_char,
    timeout_ms: u64,
    out_token: *mut *mut vd_broker_token,
) -> Result<AccessToken, Error> {
    let (client, request) = arguments(client, scope, claims, timeout_ms, out_token)?;
    client.request_token(&request)
}

/// Gets an access token for `scope` (e.g. `"https://vault.azure.net/.default"`)
/// in one call. Preferred over `vd_broker_client_get_token`.
///
/// - `claims`: a CAE claims challenge or NULL; with claims the cache is
///   skipped and the fresh token replaces the cached one.
/// - `timeout_ms`: a tighter overall timeout for this call; 0 means the client's.
/// - On success (`VD_BROKER_OK`), `*out_token` receives a token the library
///   owns; read it, then release it with `vd_broker_token_free`, which zeroes
///   it. `*out_error` is set to NULL.
/// - On failure, `*out_token` is NULL and `*out_error` (when `out_error` is
///   not NULL) receives the error — status, message, HTTP status — to free
///   with `vd_broker_error_free`. The message is also this thread's last error.
///
/// Thread-safe. Blocks for at most the timeout.
///
/// # Safety
/// `client` is valid; `scope` a NUL-terminated string; `claims` NULL or one;
/// `out_token` valid for one write; `out_error` NULL or valid for one write.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_client_fetch_token(
    client: *const vd_broker_client,
    scope: *const c_char,
    claims: *const c_char,
    timeout_ms: u64,
    out_token: *mut *mut vd_broker_token,
    out_error: *mut *mut vd_broker_error,
) -> i32 {
    call_with_error_object(out_error, || {
        let token = fetch(client, scope, claims, timeout_ms, out_token)?;
        hand_out(token.secret().as_bytes(), &token, out_token);
        Ok(())
    })
}

/// Gets the token for `scope` only when the process cache hands it out at
/// once: no request to the broker or helper, no wait for another call's.
/// For a caller that may abandon a call (a cancelled context): try this
/// inline, and only when it gives no token make the blocking
/// `vd_broker_client_fetch_token` on a thread that may be left to finish.
///
/// - On a hit, `VD_BROKER_OK` and `*out_token` a token, as from
///   `vd_broker_client_fetch_token` (release it with `vd_broker_token_free`).
/// - Otherwise `VD_BROKER_OK` and `*out_token` NULL: nothing cached to hand
///   out now, a refresh due, or a call that would fail —
///   `vd_broker_client_fetch_token` then mints, waits or reports the error.
/// - A NULL `client`, `scope` or `out_token`, or a scope that is not UTF-8,
///   fails as for `vd_broker_client_fetch_token`.
///
/// Reads the bearer file as every call does, within `timeout_ms` (0: the
/// client's timeout). Thread-safe.
///
/// # Safety
/// As `vd_broker_client_fetch_token`, without `claims`.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_client_fetch_cached_token(
    client: *const vd_broker_client,
    scope: *const c_char,
    timeout_ms: u64,
    out_token: *mut *mut vd_broker_token,
    out_error: *mut *mut vd_broker_error,
) -> i32 {
    call_with_error_object(out_error, || {
        let (client, request) = arguments(client, scope, std::ptr::null(), timeout_ms, out_token)?;
        if let Some(token) = client.cached_token(&request) {
            hand_out(token.secret().as_bytes(), &token, out_token);
        }
        Ok(())
    })
}

/// Gets a token for `scope` as the blob of the ODBC attribute
/// `SQL_COPT_SS_ACCESS_TOKEN` (see `vd_broker_client_get_odbc_token`) in one
/// call: `(*out_token)->secret` holds `secret_len` bytes of it. Preferred
/// over `vd_broker_client_get_odbc_token`; outputs and errors as for
/// `vd_broker_client_fetch_token`.
///
/// # Safety
/// As `vd_broker_client_fetch_token`.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_client_fetch_odbc_token(
    client: *const vd_broker_client,
    scope: *const c_char,
    timeout_ms: u64,
    out_token: *mut *mut vd_broker_token,
    out_error: *mut *mut vd_broker_error,
) -> i32 {
    call_with_error_object(out_error, || {
        let token = fetch(client, scope, std::ptr::null(), timeout_ms, out_token)?;
        hand_out(&odbc_blob(token.secret())?, &token, out_token);
        Ok(())
    })
}

/// Zeroes and frees a token from a preferred call. NULL is a no-op.
///
/// # Safety
/// `token` is NULL or from a `vd_broker_*` call, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_token_free(token: *mut vd_broker_token) {
    if !token.is_null() {
        call_infallible((), || drop(Box::from_raw(token.cast::<Owned>())));
    }
}
