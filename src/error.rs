//! Errors: a stable kind for programs, a message for people.
//!
//! Every failure of the library is one [`Error`]. Its [`ErrorKind`] maps 1:1
//! to a `VD_BROKER_ERR_*` status of the C ABI and from there to each binding's
//! exception types; its message says what went wrong and what to do next.
//! Messages never contain the bearer or a token: every message is redacted
//! as it is stored.

use std::ffi::CStr;
use std::fmt;

use crate::redact::redact;

/// Emits [`ErrorKind`] and its table-free lookups from the entries of
/// `src/status_list.rs` (build.rs reads the same entries for the header).
macro_rules! status_list {
    ($($code:literal $name:ident $kind:ident [$($class:ident)*] $description:literal;)*) => {
        /// The category of a failure. Stable: each kind is one C status code
        /// (`VD_BROKER_ERR_*`) forever; its discriminant is that code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        #[repr(i32)]
        pub enum ErrorKind {
            $(#[doc = $description] $kind = $code,)*
        }

        impl ErrorKind {
            /// Every kind, in code order.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$kind),*];

            /// The C constant's name as a NUL-terminated string.
            pub(crate) fn c_name(self) -> &'static CStr {
                match self {
                    $(ErrorKind::$kind => c_str(concat!("VD_BROKER_", stringify!($name), "\0")),)*
                }
            }

            /// The header's description of this status, as a NUL-terminated string.
            pub(crate) fn c_description(self) -> &'static CStr {
                match self {
                    $(ErrorKind::$kind => c_str(concat!($description, "\0")),)*
                }
            }

            /// The classes of `src/status_list.rs` this kind belongs to.
            fn classes(self) -> &'static [Class] {
                match self {
                    $(ErrorKind::$kind => &[$(Class::$class),*],)*
                }
            }
        }
    };
}

include!("status_list.rs");

/// The classes a status can belong to (see `src/status_list.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types, dead_code)]
enum Class {
    retriable,
    authentication,
    configuration,
    caller,
    unavailable,
    retired,
}

/// A `&'static CStr` from a literal the macro ends with a NUL.
const fn c_str(text: &'static str) -> &'static CStr {
    match CStr::from_bytes_with_nul(text.as_bytes()) {
        Ok(text) => text,
        Err(_) => panic!("a status name or description holds a NUL"),
    }
}

impl ErrorKind {
    /// The `VD_BROKER_ERR_*` code of this kind.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// The kind of a `VD_BROKER_ERR_*` code, if it is one.
    pub fn from_code(code: i32) -> Option<ErrorKind> {
        ErrorKind::ALL.iter().copied().find(|kind| kind.code() == code)
    }

    /// The C constant's name, e.g. `"VD_BROKER_ERR_TIMEOUT"`.
    pub fn name(self) -> &'static str {
        self.c_name().to_str().expect("status names are ASCII")
    }

    /// Asking again later may succeed: the broker or the network failed.
    pub fn is_retriable(self) -> bool {
        self.classes().contains(&Class::retriable)
    }

    /// The intent bearer was refused (401/403, a helper refusal) or could not
    /// be presented (its file unreadable or empty).
    pub fn is_authentication_failure(self) -> bool {
        self.classes().contains(&Class::authentication)
    }

    /// The client's settings are missing or invalid.
    pub fn is_configuration_error(self) -> bool {
        self.classes().contains(&Class::configuration)
    }

    /// The call itself was wrong: an argument, a buffer or the scope.
    pub fn is_caller_error(self) -> bool {
        self.classes().contains(&Class::caller)
    }

    /// Studio looks absent: no configuration, no bearer file, no broker
    /// listening. A credential chain moves on to its next credential.
    pub fn is_unavailable(self) -> bool {
        self.classes().contains(&Class::unavailable)
    }
}

/// A failure, with its kind, a human message and, where there was one, the
/// HTTP status the broker answered.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    http_status: Option<u16>,
}

impl Error {
    /// An error of `kind`. The message is redacted as it is stored
    /// ([`crate::redact`]): no message of an error carries a secret, whoever
    /// reads it.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: redact(&message.into(), None), http_status: None }
    }

    pub(crate) fn with_http_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    pub(crate) fn with_message(mut self, message: String) -> Self {
        self.message = redact(&message, None);
        self
    }

    /// What went wrong: the C ABI's status, with its classes.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, redacted: it names the problem and what to do, and
    /// never holds a secret.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The broker's (or helper's) HTTP status, when the failure was an answer.
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    pub(crate) fn configuration(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Configuration, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("http_status", &self.http_status)
            .field("message", &self.message)
            .finish()
    }
}

impl std::error::Error for Error {}

/// An OS error's reason without Rust's " (os error N)" suffix.
pub(crate) fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}
