//! `vd_broker_get_token`: the process-default client, configured from the
//! environment on first use.

use std::os::raw::c_char;
use std::sync::OnceLock;

use super::args::{check_output, copy_out, put, required_str};
use super::boundary::{call, ErrorBuffer};
use crate::client::Client;
use crate::error::Error;

static DEFAULT_CLIENT: OnceLock<Client> = OnceLock::new();

/// The process-default client. A configuration error is not remembered: once
/// the environment is fixed, the next call builds the client.
pub(crate) fn default_client() -> Result<&'static Client, Error> {
    if let Some(client) = DEFAULT_CLIENT.get() {
        return Ok(client);
    }
    let client = Client::from_env()?;
    Ok(DEFAULT_CLIENT.get_or_init(|| client))
}

/// Gets an access token for `scope` from the process-default client, which is
/// configured from the environment (`VD_CREDENTIAL_BROKER_URL` or
/// `VD_AZ_TOKEN_URL`, `VD_CREDENTIAL_FILE`, ...) on the first successful call
/// and kept for the life of the process.
///
/// Returns `VD_BROKER_OK` with the NUL-terminated token in `out_buf`
/// (capacity `out_buf_len`) and its expiry in Unix seconds in `*expires_on`.
/// If the token does not fit (`out_buf_len` 0 included), returns
/// `VD_BROKER_ERR_BUFFER_TOO_SMALL` and writes nothing
/// (`VD_BROKER_TOKEN_BUFFER_SIZE` bytes always suffice for today's Azure
/// tokens; the message says how many bytes are needed). On failure
/// the message is available from `vd_broker_last_error_message` on the same
/// thread. Thread-safe.
///
/// # Safety
/// `scope` is a NUL-terminated string; `out_buf` points to `out_buf_len`
/// writable bytes; `expires_on` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_get_token(
    scope: *const c_char,
    out_buf: *mut c_char,
    out_buf_len: usize,
    expires_on: *mut i64,
) -> i32 {
    call(ErrorBuffer::NONE, || {
        let scope = required_str(scope, "scope")?;
        check_output(out_buf.cast(), "out_buf")?;
        if expires_on.is_null() {
            return Err(Error::invalid_argument("expires_on is NULL"));
        }
        let token = default_client()?.get_token(scope)?;
        copy_out(token.secret().as_bytes(), true, out_buf.cast(), out_buf_len, std::ptr::null_mut(), "out_buf")?;
        put(expires_on, token.expires_on());
        Ok(())
    })
}

/// A buffer of this many bytes holds any token today's Azure services issue.
pub const VD_BROKER_TOKEN_BUFFER_SIZE: usize = 16384;
