//! The C entry points with arbitrary strings (NUL-terminated, any bytes) and
//! buffer sizes: every call returns a status, writes nothing past the
//! capacity it was given, and never crashes. The client's bearer file does
//! not exist, so no call reaches the network.
#![no_main]

use std::ffi::CString;
use std::os::raw::c_char;
use std::ptr;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vd_broker::ffi::client::{vd_broker_client, vd_broker_client_get_token, vd_broker_client_new};
use vd_broker::ffi::diagnostics::vd_broker_last_error_message;
use vd_broker::ffi::odbc::vd_broker_client_get_odbc_token;
use vd_broker::ffi::options::{
    vd_broker_options_free, vd_broker_options_new, vd_broker_options_set_audience, vd_broker_options_set_broker_url,
    vd_broker_options_set_credential_file, vd_broker_options_set_lane, vd_broker_options_set_runtime_access_socket,
};

struct Shared(*mut vd_broker_client);
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

fn client() -> *mut vd_broker_client {
    static CLIENT: OnceLock<Shared> = OnceLock::new();
    CLIENT
        .get_or_init(|| unsafe {
            let options = vd_broker_options_new();
            vd_broker_options_set_broker_url(options, c"http://127.0.0.1:9/api".as_ptr());
            vd_broker_options_set_credential_file(options, c"/nonexistent/vd-broker-fuzz/credential".as_ptr());
            vd_broker_options_set_runtime_access_socket(options, c"/nonexistent/vd-broker-fuzz.sock".as_ptr());
            let mut client = ptr::null_mut();
            assert_eq!(vd_broker_client_new(options, &mut client, ptr::null_mut(), 0), 0);
            vd_broker_options_free(options);
            Shared(client)
        })
        .0
}

const GUARD: u8 = 0xA5;

/// A buffer of `capacity` bytes followed by guard bytes that must survive.
fn guarded(capacity: usize) -> Vec<u8> {
    vec![GUARD; capacity + 16]
}

fn intact(buf: &[u8], capacity: usize) -> bool {
    buf[capacity..].iter().all(|b| *b == GUARD)
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let (sizes, text) = data.split_at(2);
    let mut parts = text.splitn(2, |b| *b == 0xFF);
    let scope = CString::new(parts.next().unwrap_or(&[]).iter().copied().filter(|b| *b != 0).collect::<Vec<_>>()).unwrap();
    let other = CString::new(parts.next().unwrap_or(&[]).iter().copied().filter(|b| *b != 0).collect::<Vec<_>>()).unwrap();
    let (token_cap, error_cap) = (sizes[0] as usize, sizes[1] as usize % 64);

    unsafe {
        let mut token = guarded(token_cap);
        let mut error = guarded(error_cap);
        let mut length = usize::MAX;
        let mut http_status = u16::MAX;
        let status = vd_broker_client_get_token(
            client(),
            scope.as_ptr(),
            if other.as_bytes().is_empty() { ptr::null() } else { other.as_ptr() },
            1,
            token.as_mut_ptr().cast::<c_char>(),
            token_cap,
            &mut length,
            ptr::null_mut(),
            ptr::null_mut(),
            &mut http_status,
            error.as_mut_ptr().cast::<c_char>(),
            error_cap,
        );
        assert_ne!(status, 0, "no bearer file: every call fails");
        assert_eq!(http_status, 0, "no answer, no HTTP status");
        assert!(intact(&token, token_cap) && intact(&error, error_cap));
        if error_cap > 0 {
            assert!(error[..error_cap].contains(&0), "the message is NUL-terminated within capacity");
        }

        let mut blob = guarded(token_cap);
        let status = vd_broker_client_get_odbc_token(
            client(), scope.as_ptr(), 1, blob.as_mut_ptr(), token_cap, &mut length, ptr::null_mut(),
            ptr::null_mut(), error.as_mut_ptr().cast::<c_char>(), error_cap,
        );
        assert_ne!(status, 0);
        assert!(intact(&blob, token_cap) && intact(&error, error_cap));

        let mut last = guarded(error_cap);
        vd_broker_last_error_message(last.as_mut_ptr().cast::<c_char>(), error_cap, &mut length);
        assert!(intact(&last, error_cap));

        let options = vd_broker_options_new();
        vd_broker_options_set_audience(options, scope.as_ptr(), other.as_ptr());
        vd_broker_options_set_lane(options, other.as_ptr());
        let mut fresh = ptr::null_mut();
        let mut error = guarded(error_cap);
        let _ = vd_broker_client_new(options, &mut fresh, error.as_mut_ptr().cast::<c_char>(), error_cap);
        assert!(intact(&error, error_cap));
        vd_broker::ffi::client::vd_broker_client_free(fresh);
        vd_broker_options_free(options);
    }
});
