//! Errors: a stable kind for programs, a message for people.
//!
//! Every failure of the library is one [`Error`]. Its [`ErrorKind`] maps 1:1
//! to a `VD_BROKER_ERR_*` status of the C ABI and from there to each binding's
//! exception types; its message says what went wrong and what to do next.
//! Messages never contain the bearer or a token: every message is redacted
//! as it is stored.

use std::fmt;

use crate::redact::redact;

/// The category of a failure. Stable: each kind is one C status code forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A required argument is missing or out of range (no scope, a zero timeout).
    InvalidArgument,
    /// A string argument is not valid UTF-8.
    InvalidUtf8,
    /// The caller's buffer cannot hold the whole result.
    BufferTooSmall,
    /// The broker URL, credential file, lane or revision is missing or invalid.
    Configuration,
    /// The scope maps to no broker audience; the broker was not contacted.
    ScopeNotAllowed,
    /// The bearer file could not be read (missing, unreadable, not UTF-8, too big).
    CredentialUnreadable,
    /// The bearer file is empty or only whitespace.
    CredentialBlank,
    /// The broker (or runtime-access helper) could not be reached.
    BrokerUnreachable,
    /// The broker answered 401 or 403: the intent bearer is expired, revoked or out of scope.
    BrokerRejected,
    /// The broker answered another non-2xx status.
    BrokerStatus,
    /// The broker answered 2xx with a body that is not a usable token response.
    BrokerResponse,
    /// The call did not finish within its timeout.
    Timeout,
    /// The runtime-access helper refused the request (`x-runtime-access-error`).
    AccessHelperRefused,
    /// A bug: a panic inside the library was caught at the boundary.
    Panic,
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

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

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
