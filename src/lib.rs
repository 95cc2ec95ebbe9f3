//! Azure access tokens for every runtime in a VibeData Studio agent container.
//!
//! The Studio backend writes an intent bearer (`vd_iat_*`) to a file; this
//! library reads it fresh on every call, exchanges it at the Studio
//! credential broker (`POST {broker}/token`) for a short-lived,
//! audience-bound Azure token, caches that token process-wide, and hands it
//! out — to Rust through [`Client`], to everything else through the C ABI in
//! `include/vd_broker.h`.
//!
//! ```no_run
//! let client = vd_broker::Client::from_env()?;
//! let token = client.get_token("https://database.windows.net/.default")?;
//! println!("expires at {}", token.expires_on());
//! # Ok::<(), vd_broker::Error>(())
//! ```
//!
//! The request path, top to bottom: `client` maps the scope to an audience
//! (`audience`), reads the bearer (`bearer`), looks in the cache (`cache`)
//! and on a miss the cache this user's processes share (`shared_cache`),
//! and on a miss there asks the broker (`broker`, over `http`, `tcp_connector` and
//! `socket_transport`) or the runtime-access helper
//! (`access_helper`) with retries (`retry`), parsing the answer
//! (`response`). `ffi` is the C ABI over all of it.
#![warn(missing_docs)]

pub mod access_helper;
pub mod audience;
mod bearer;
mod broker;
mod cache;
mod client;
pub mod config;
mod deadline;
mod error;
mod file_bytes;
mod fork;
pub mod ffi;
mod http;
pub mod log;
mod redact;
mod refresh;
mod response;
mod retry;
mod scope_table;
mod shared_cache;
mod socket_transport;
mod tcp_connector;
mod token;
mod unix_socket;
mod wipe;

pub use client::{Client, TokenRequest};
pub use config::Options;
pub use error::{Error, ErrorKind};
pub use token::AccessToken;

/// `text` with what the library never shows masked — the redaction every
/// message of the library has had: escapes decoded and control characters
/// dropped, then tokens, `vd_iat_` bearers, credentials and URL userinfo
/// masked. For a program that prints text of its own beside ours.
pub fn redact(text: &str) -> String {
    redact::redact(text, None)
}

/// This library's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The book's Rust chapter, whose examples are compiled (and, where they
/// need no broker, run) as doctests: the chapter cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../docs/bindings/rust.md")]
mod book_rust_chapter {}

/// Entry points for the fuzz targets in `fuzz/`. Not part of the API.
#[doc(hidden)]
pub mod fuzzing {
    /// Parses a broker answer body as the library does.
    pub fn parse_token_answer(body: &[u8]) -> Result<crate::AccessToken, crate::Error> {
        crate::response::parse_token(body, 1_700_000_000, "the fuzzed broker")
    }
}
