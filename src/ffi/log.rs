//! `vd_broker_set_log_callback`: the core's events, to a C callback.

use std::os::raw::{c_char, c_void};

use super::boundary::{call, ErrorBuffer};
use crate::error::Error;
use crate::log::{self, Level};

/// The level of a log event, passed to a `vd_broker_log_callback` as an
/// `int32_t`. Higher is more verbose; a callback registered with a
/// `max_level` receives the events at that level and below.
#[allow(non_camel_case_types)]
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum vd_broker_log_level {
    /// A bug caught at the boundary (a call returned `VD_BROKER_ERR_PANIC`).
    VD_BROKER_LOG_ERROR = 1,
    /// A get-token call failed (the message says why), or a proactive
    /// refresh failed and the still-valid cached token was returned.
    VD_BROKER_LOG_WARNING = 2,
    /// A fresh token was minted; an attempt failed and is retried (and why);
    /// a cached token is being refreshed before it expires; a new client's
    /// route (the credential broker, or the runtime-access helper).
    VD_BROKER_LOG_INFO = 3,
    /// A token was served from the cache (every warm call: verbose).
    VD_BROKER_LOG_DEBUG = 4,
}

// The core's levels are the C values.
const _: () = {
    assert!(Level::Error as i32 == vd_broker_log_level::VD_BROKER_LOG_ERROR as i32);
    assert!(Level::Warning as i32 == vd_broker_log_level::VD_BROKER_LOG_WARNING as i32);
    assert!(Level::Info as i32 == vd_broker_log_level::VD_BROKER_LOG_INFO as i32);
    assert!(Level::Debug as i32 == vd_broker_log_level::VD_BROKER_LOG_DEBUG as i32);
};

/// Receives one log event: its `level` (a `vd_broker_log_level`), its
/// `message` (UTF-8, one line, NUL-terminated, `message_len` bytes without
/// the NUL; valid only during the call — copy it to keep it) and the
/// `user_data` given at registration.
///
/// Called on the thread whose call caused the event, possibly on many
/// threads at once, and never while the library holds a lock: the callback
/// may call `vd_broker_*` functions (the events those calls raise are
/// dropped rather than delivered recursively), except
/// `vd_broker_set_log_callback`, which refuses. (A retry's event comes
/// while its request is in flight: a get-token call for that same token
/// from inside the callback would wait for it, until its own timeout.)
/// Messages never contain the bearer, a token or URL userinfo.
///
/// It must return normally: a C++ exception thrown out of it ends the
/// process (the library catches what unwinds into it and aborts, rather
/// than leave its state half-updated), and `longjmp` out of it is
/// undefined behaviour. Keep it quick: it runs inside the caller's call.
pub type vd_broker_log_callback =
    Option<unsafe extern "C-unwind" fn(level: i32, message: *const c_char, message_len: usize, user_data: *mut c_void)>;

/// The caller's `user_data`, handed back to its callback on any thread: the
/// caller promised that is fine by registering it.
struct UserData(*mut c_void);
// SAFETY: the library never dereferences it; see vd_broker_set_log_callback.
unsafe impl Send for UserData {}
unsafe impl Sync for UserData {}

impl UserData {
    // A method, so that closures capture the whole (Send) wrapper.
    fn get(&self) -> *mut c_void {
        self.0
    }
}

/// Routes the library's log events up to `max_level` (a
/// `vd_broker_log_level`; e.g. `VD_BROKER_LOG_INFO` gets errors, warnings
/// and information, not the per-call cache hits) to `callback`, with
/// `user_data` passed back unchanged. A NULL `callback` makes the library
/// silent again, which is the default: without a callback an event costs
/// one atomic load and nothing is formatted.
///
/// Process-wide: one callback for every client. Replacing or clearing it
/// waits for invocations in progress on other threads to return; after
/// this call returns the previous callback is not running and will not be
/// called again, so its `user_data` may be freed. A forked child keeps the
/// callback.
///
/// Returns `VD_BROKER_ERR_INVALID_ARGUMENT` for a `max_level` that is not a
/// `vd_broker_log_level` (with a non-NULL callback), or when called from
/// inside the callback (it would wait for itself); the message is in
/// `vd_broker_last_error_message`. Thread-safe.
///
/// # Safety
/// `callback` is NULL or a function of this signature that stays callable,
/// with `user_data`, from any thread until it is replaced.
#[no_mangle]
pub unsafe extern "C" fn vd_broker_set_log_callback(
    callback: vd_broker_log_callback,
    max_level: i32,
    user_data: *mut c_void,
) -> i32 {
    call(ErrorBuffer::NONE, || {
        let Some(callback) = callback else {
            return log::clear_handler();
        };
        let max_level = Level::from_c(max_level).ok_or_else(|| {
            Error::invalid_argument(format!(
                "max_level {max_level} is not a vd_broker_log_level: use VD_BROKER_LOG_ERROR (1) to \
                 VD_BROKER_LOG_DEBUG (4)"
            ))
        })?;
        let user_data = UserData(user_data);
        log::set_handler(max_level, move |level, message| {
            let mut text = String::with_capacity(message.len() + 1);
            text.push_str(message);
            text.push('\0');
            // SAFETY: the caller vouched for the callback and its user_data;
            // the message is NUL-terminated and outlives the call.
            unsafe { callback(level as i32, text.as_ptr().cast(), message.len(), user_data.get()) };
        })
    })
}
