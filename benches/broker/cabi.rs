//! Calls through the C ABI — the same `extern "C"` entry points C, Go, .NET
//! and Python reach — from this process.

use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::ptr;

use vd_broker::ffi::client::{vd_broker_client, vd_broker_client_free, vd_broker_client_get_token, vd_broker_client_new};
use vd_broker::ffi::options::{
    vd_broker_options_free, vd_broker_options_new, vd_broker_options_set_audience, vd_broker_options_set_broker_url, vd_broker_options_set_cache,
    vd_broker_options_set_credential_file, vd_broker_options_set_runtime_access_socket,
    vd_broker_options_set_shared_cache, vd_broker_options_set_shared_cache_dir,
};

/// Which token caches a client uses.
#[derive(Clone, Copy)]
pub enum Caches<'a> {
    /// None: every call asks the broker.
    Off,
    /// The process cache only.
    Process,
    /// The process cache, then the shared one in this directory.
    Shared(&'a str),
}

/// A native client, shareable between threads as the ABI promises.
pub struct NativeClient(*mut vd_broker_client);

// SAFETY: vd_broker_client is documented thread-safe for concurrent get-token calls.
unsafe impl Send for NativeClient {}
unsafe impl Sync for NativeClient {}

impl NativeClient {
    pub fn new(broker_url: &str, credential_file: &str, caches: Caches<'_>) -> NativeClient {
        NativeClient::with_audiences(broker_url, credential_file, caches, &[])
    }

    /// The same, with `(resource, audience)` pairs added to the audience map.
    pub fn with_audiences(broker_url: &str, credential_file: &str, caches: Caches<'_>, audiences: &[(String, String)]) -> NativeClient {
        let url = CString::new(broker_url).unwrap();
        let file = CString::new(credential_file).unwrap();
        let no_helper = CString::new("/nonexistent/vd-broker-bench.sock").unwrap();
        // SAFETY: valid pointers to NUL-terminated strings; the options are freed below.
        unsafe {
            let options = vd_broker_options_new();
            assert_eq!(vd_broker_options_set_broker_url(options, url.as_ptr()), 0);
            assert_eq!(vd_broker_options_set_credential_file(options, file.as_ptr()), 0);
            assert_eq!(vd_broker_options_set_runtime_access_socket(options, no_helper.as_ptr()), 0);
            assert_eq!(vd_broker_options_set_cache(options, !matches!(caches, Caches::Off)), 0);
            assert_eq!(vd_broker_options_set_shared_cache(options, matches!(caches, Caches::Shared(_))), 0);
            for (resource, audience) in audiences {
                let (resource, audience) = (CString::new(resource.as_str()).unwrap(), CString::new(audience.as_str()).unwrap());
                assert_eq!(vd_broker_options_set_audience(options, resource.as_ptr(), audience.as_ptr()), 0);
            }
            if let Caches::Shared(dir) = caches {
                let dir = CString::new(dir).unwrap();
                assert_eq!(vd_broker_options_set_shared_cache_dir(options, dir.as_ptr()), 0);
            }
            let mut client = ptr::null_mut();
            let status = vd_broker_client_new(options, &mut client, ptr::null_mut(), 0);
            vd_broker_options_free(options);
            assert_eq!(status, 0, "client created");
            NativeClient(client)
        }
    }

    /// One get-token call for Azure SQL; panics on failure (a benchmark of
    /// failures would measure nothing useful).
    pub fn get_token(&self, buf: &mut [u8]) {
        self.get_token_for(c"https://database.windows.net/.default", buf)
    }

    /// One get-token call for `scope`; panics on failure.
    pub fn get_token_for(&self, scope: &CStr, buf: &mut [u8]) {
        let mut len = 0usize;
        let (mut expires_on, mut refresh_on) = (0i64, 0i64);
        let mut error = [0u8; 512];
        // SAFETY: the buffers outlive the call and their lengths are passed with them.
        let status = unsafe {
            vd_broker_client_get_token(
                self.0,
                scope.as_ptr(),
                ptr::null(),
                0,
                buf.as_mut_ptr().cast::<c_char>(),
                buf.len(),
                &mut len,
                &mut expires_on,
                &mut refresh_on,
                ptr::null_mut(),
                error.as_mut_ptr().cast::<c_char>(),
                error.len(),
            )
        };
        if status != 0 {
            let end = error.iter().position(|b| *b == 0).unwrap_or(error.len());
            panic!("get_token failed ({status}): {}", String::from_utf8_lossy(&error[..end]));
        }
        std::hint::black_box(len);
    }
}

impl Drop for NativeClient {
    fn drop(&mut self) {
        // SAFETY: created by vd_broker_client_new, freed once, no call in flight.
        unsafe { vd_broker_client_free(self.0) };
    }
}
