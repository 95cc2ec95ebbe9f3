//! `vd_broker_client_create`: the preferred constructor, reporting every
//! problem with the options once, as an error object.

use super::client::vd_broker_client;
use super::error_object::{call_with_error_object, vd_broker_error};
use super::options::{client_from, vd_broker_options};
use crate::error::Error;

/// Creates a client from `options` (NULL: from the environment only) and
/// stores it in `*out_client`; `options` is copied and may be freed after.
/// Preferred over `vd_broker_client_new`: set the options without checking
/// each setter — the first one that failed, or any setting the core refuses
/// (a missing broker URL or credential file, an invalid value), is reported
/// here, once, with the core's message naming the option and its
/// environment variable. On failure `*out_client` is NULL and `*out_error`
/// (when `out_error` is not NULL) receives the error, to free with
/// `vd_broker_error_free`; on success `*out_error` is NULL.
///
/// A client may be freed in a forked child (`vd_broker_client_free`): the
/// child then leaves the parent's connections alone.
///
/// # Safety
/// `options` is NULL or valid; `out_client` is valid for one write;
/// `out_error` is NULL or valid for one write.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_client_create(
    options: *const vd_broker_options,
    out_client: *mut *mut vd_broker_client,
    out_error: *mut *mut vd_broker_error,
) -> i32 {
    call_with_error_object(out_error, || {
        if out_client.is_null() {
            return Err(Error::invalid_argument("out_client is NULL"));
        }
        out_client.write(std::ptr::null_mut());
        let client = client_from(options)?;
        out_client.write(Box::into_raw(Box::new(vd_broker_client { client })));
        Ok(())
    })
}
