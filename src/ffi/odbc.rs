//! The access-token blob of the Microsoft ODBC driver's pre-connect attribute
//! `SQL_COPT_SS_ACCESS_TOKEN` (1256): a 4-byte little-endian length of the
//! data in bytes, then the token in UTF-16LE, no terminator. Hand-rolled
//! blobs with a wrong length crash the driver; this builds it right.

use std::os::raw::{c_char, c_void};

use zeroize::{Zeroize, Zeroizing};

use super::args::{check_output, copy_out, put, required_str};
use super::boundary::{call, call_reporting_http_status, ErrorBuffer};
use super::client::{token_for_c, vd_broker_client};
use super::default_client::default_client;
use crate::error::Error;
use crate::token::AccessToken;

/// The ODBC connection attribute that takes the blob (`SQL_COPT_SS_ACCESS_TOKEN`).
pub const VD_BROKER_SQL_COPT_SS_ACCESS_TOKEN: i32 = 1256;

/// The blob for `token`, in zeroed-on-drop memory.
pub(crate) fn odbc_blob(token: &str) -> Result<Zeroizing<Vec<u8>>, Error> {
    let data_len = token.encode_utf16().count() * 2;
    let prefix = u32::try_from(data_len)
        .map_err(|_| Error::new(crate::ErrorKind::BrokerResponse, "the token is too long for an ODBC access-token blob"))?;
    let mut blob = Zeroizing::new(Vec::with_capacity(4 + data_len));
    blob.extend_from_slice(&prefix.to_le_bytes());
    for unit in token.encode_utf16() {
        blob.extend_from_slice(&unit.to_le_bytes());
    }
    Ok(blob)
}

/// Writes the blob of `token` and its outputs, under the token call's rules.
unsafe fn write_blob(
    token: &AccessToken,
    out_buf: *mut u8,
    out_buf_len: usize,
    out_len: *mut usize,
    out_expires_on: *mut i64,
) -> Result<(), Error> {
    let blob = odbc_blob(token.secret())?;
    copy_out(&blob, false, out_buf, out_buf_len, out_len, "out_buf")?;
    put(out_expires_on, token.expires_on());
    Ok(())
}

/// Gets a token for `scope` (for Azure SQL / Fabric SQL:
/// `"https://database.windows.net/.default"`) and writes it as the blob that
/// `SQLSetConnectAttr(hdbc, SQL_COPT_SS_ACCESS_TOKEN, blob, SQL_IS_POINTER)`
/// expects: a 4-byte little-endian length of the data, then the token in
/// UTF-16LE, without terminator.
///
/// On success the blob's total length (4 + data) goes to `*out_len` and the
/// expiry to `*out_expires_on` (either may be NULL). If `out_buf_len` is too
/// small (0 included), returns `VD_BROKER_ERR_BUFFER_TOO_SMALL`, writes
/// nothing to `out_buf` and stores the needed length in `*out_len`. Wipe the blob with
/// `vd_broker_secure_zero` after connecting. Errors (`err_buf`,
/// `*out_http_status`) as for `vd_broker_client_get_token`. Thread-safe.
///
/// # Safety
/// As `vd_broker_client_get_token`; `out_buf` points to `out_buf_len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_client_get_odbc_token(
    client: *const vd_broker_client,
    scope: *const c_char,
    timeout_ms: u64,
    out_buf: *mut u8,
    out_buf_len: usize,
    out_len: *mut usize,
    out_expires_on: *mut i64,
    out_http_status: *mut u16,
    err_buf: *mut c_char,
    err_buf_len: usize,
) -> i32 {
    call_reporting_http_status(ErrorBuffer { buf: err_buf, len: err_buf_len }, out_http_status, || {
        let token = token_for_c(client, scope, None, timeout_ms, out_buf)?;
        write_blob(&token, out_buf, out_buf_len, out_len, out_expires_on)
    })
}

/// `vd_broker_client_get_odbc_token` on the process-default client (see
/// `vd_broker_get_token`); the message of a failure is available from
/// `vd_broker_last_error_message`.
///
/// # Safety
/// `scope` is a NUL-terminated string; `out_buf` points to `out_buf_len`
/// writable bytes; `out_len` and `expires_on` are NULL or valid for one write.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_get_odbc_token(
    scope: *const c_char,
    out_buf: *mut u8,
    out_buf_len: usize,
    out_len: *mut usize,
    expires_on: *mut i64,
) -> i32 {
    call(ErrorBuffer::NONE, || {
        let scope = required_str(scope, "scope")?;
        check_output(out_buf, "out_buf")?;
        let token = default_client()?.get_token(scope)?;
        write_blob(&token, out_buf, out_buf_len, out_len, expires_on)
    })
}

/// Overwrites `len` bytes at `buf` with zeros in a way the compiler will not
/// optimise away — for token buffers and ODBC blobs once used. NULL is a no-op.
///
/// # Safety
/// `buf` is NULL or points to `len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_secure_zero(buf: *mut c_void, len: usize) {
    if !buf.is_null() && len > 0 {
        std::slice::from_raw_parts_mut(buf.cast::<u8>(), len).zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::odbc_blob;

    #[test]
    fn blob_is_length_then_utf16le() {
        let blob = odbc_blob("ab.c").unwrap();
        assert_eq!(&blob[..], &[8, 0, 0, 0, b'a', 0, b'b', 0, b'.', 0, b'c', 0]);
    }
}
