//! `vd_broker_client`: a configured client and its get-token call.

use std::os::raw::c_char;

use super::args::{self, check_output, copy_out, optional_str, put, required_str};
use super::boundary::{call, call_infallible, call_reporting_http_status, ErrorBuffer};
use super::options::vd_broker_options;
use crate::client::{Client, TokenRequest};
use crate::config::Options;
use crate::error::Error;
use crate::token::AccessToken;

/// A configured client. Created by `vd_broker_client_new`, freed by
/// `vd_broker_client_free`. Thread-safe: any number of threads may call
/// `vd_broker_client_get_token` on one client at once. Clients share one
/// process-wide token cache.
pub struct vd_broker_client {
    pub(crate) client: Client,
}

/// Creates a client from `options` (NULL: from the environment only) and
/// stores it in `*out_client`. `options` is copied and may be freed after.
/// On failure (`VD_BROKER_ERR_CONFIGURATION` for a missing broker URL or
/// credential file, or an invalid setting), `*out_client` is untouched and,
/// when `err_buf` is not NULL, the message is copied there (cut to
/// `err_buf_len`, NUL-terminated).
///
/// # Safety
/// `options` is NULL or valid; `out_client` is valid for one write; `err_buf`
/// is NULL or points to `err_buf_len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_client_new(
    options: *const vd_broker_options,
    out_client: *mut *mut vd_broker_client,
    err_buf: *mut c_char,
    err_buf_len: usize,
) -> i32 {
    call(ErrorBuffer { buf: err_buf, len: err_buf_len }, || {
        if out_client.is_null() {
            return Err(Error::invalid_argument("out_client is NULL"));
        }
        let defaults = Options::default();
        let options = options.as_ref().map_or(&defaults, |o| &o.options);
        let client = Client::new(options)?;
        out_client.write(Box::into_raw(Box::new(vd_broker_client { client })));
        Ok(())
    })
}

/// Frees a client. NULL is a no-op. No call on the client may be running or
/// start afterwards.
///
/// # Safety
/// `client` is NULL or from `vd_broker_client_new`, not yet freed.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_client_free(client: *mut vd_broker_client) {
    if !client.is_null() {
        call_infallible((), || drop(Box::from_raw(client)));
    }
}

/// Gets an access token for `scope` (e.g. `"https://vault.azure.net/.default"`).
///
/// - `claims`: a CAE claims challenge or NULL; with claims the cache is
///   skipped and the fresh token replaces the cached one.
/// - `timeout_ms`: a tighter overall timeout for this call (e.g. the time
///   left before a caller's deadline); 0 means the client's. The client's
///   timeout still bounds the call.
/// - On success (`VD_BROKER_OK`) the token and a NUL are written to `out_buf`
///   (capacity `out_buf_len`), its length in bytes without the NUL to
///   `*out_token_len`, the expiry in Unix seconds to `*out_expires_on`, and
///   the Unix second from which the token should be refreshed (never after
///   the expiry) to `*out_refresh_on`. Each of those three pointers may be
///   NULL.
/// - If the token does not fit, `VD_BROKER_ERR_BUFFER_TOO_SMALL` is returned,
///   nothing is written to `out_buf`, and `*out_token_len` receives the
///   token's length — for every `out_buf_len`, 0 included (allocate that + 1
///   and call again; the cache makes the second call cheap). A token is
///   never truncated.
/// - On any failure the message is copied to `err_buf` when it is not NULL
///   (cut to `err_buf_len`, NUL-terminated) and kept as this thread's last
///   error. Messages never contain the bearer or a token.
/// - `*out_http_status` (may be NULL) receives, on every return, the HTTP
///   status the broker (or helper) answered with when the failure was such
///   an answer — e.g. 401 with `VD_BROKER_ERR_BROKER_REJECTED`, 503 after
///   retries with `VD_BROKER_ERR_BROKER_STATUS` — and 0 otherwise, including
///   on success.
///
/// Thread-safe. Blocks for at most the timeout.
///
/// # Safety
/// `client` is valid; `scope` a NUL-terminated string; `claims` NULL or one;
/// `out_buf` points to `out_buf_len` writable bytes; the `out_*` pointers are
/// NULL or valid for one write; `err_buf` is NULL or points to `err_buf_len`
/// writable bytes.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_client_get_token(
    client: *const vd_broker_client,
    scope: *const c_char,
    claims: *const c_char,
    timeout_ms: u64,
    out_buf: *mut c_char,
    out_buf_len: usize,
    out_token_len: *mut usize,
    out_expires_on: *mut i64,
    out_refresh_on: *mut i64,
    out_http_status: *mut u16,
    err_buf: *mut c_char,
    err_buf_len: usize,
) -> i32 {
    call_reporting_http_status(ErrorBuffer { buf: err_buf, len: err_buf_len }, out_http_status, || {
        let claims = optional_str(claims, "claims")?;
        let token = token_for_c(client, scope, claims, timeout_ms, out_buf.cast())?;
        copy_out(token.secret().as_bytes(), true, out_buf.cast(), out_buf_len, out_token_len, "out_buf")?;
        put(out_expires_on, token.expires_on());
        put(out_refresh_on, token.refresh_on());
        Ok(())
    })
}

/// A token for a C caller's request: the scope read from C, the output
/// buffer checked before any work (a NULL buffer fails without minting).
pub(crate) unsafe fn token_for_c(
    client: *const vd_broker_client,
    scope: *const c_char,
    claims: Option<&str>,
    timeout_ms: u64,
    out_buf: *const u8,
) -> Result<AccessToken, Error> {
    let client = client_ref(client)?;
    let request = TokenRequest { scope: required_str(scope, "scope")?, claims, timeout: args::timeout_ms(timeout_ms) };
    check_output(out_buf, "out_buf")?;
    client.request_token(&request)
}

/// The client behind a C pointer, or an error for NULL.
pub(crate) unsafe fn client_ref<'a>(client: *const vd_broker_client) -> Result<&'a Client, Error> {
    client.as_ref().map(|c| &c.client).ok_or_else(|| Error::invalid_argument("client is NULL"))
}
