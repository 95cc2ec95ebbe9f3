//! What keeps the endpoint as safe as the platform's own: where it may
//! listen, the per-start header secret, and the limits on every connection.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The request line and headers together: the App Service request is a few
/// hundred bytes; anything past this is answered 431 and the connection closed.
pub const MAX_REQUEST_HEAD: usize = 8 * 1024;
/// A connection that has not sent a complete request head this long after
/// opening (or after its last answer, when kept alive) is closed: an SDK
/// sends its request at once, and a client that sends nothing, or sends it
/// slowly, holds a connection slot for at most this.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(2);
/// Connections served at once. Beyond it, the connection idle the longest
/// is closed to make room for a new one (see `connections`); only when
/// every connection has a request being answered do new ones wait in the
/// kernel's listen queue until one closes, so memory stays bounded.
pub const MAX_CONNECTIONS: usize = 256;
/// Connections the kernel holds, handshake done, until a slot frees (the
/// usual default of 128 would refuse a burst of clients instead).
pub const LISTEN_BACKLOG: u32 = 1024;
/// Threads that may mint at once (the core's call blocks on the broker):
/// one per resource being minted; further mints wait for one. Requests
/// waiting on a mint, and cache hits, hold none.
pub const MAX_BROKER_CALLS: usize = 16;

/// The default address: loopback, a port the kernel picks.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// The address to listen on, or why not: a non-loopback address hands
/// tokens to anyone who can reach it and learns the header, so it needs
/// `--allow-non-loopback`, and then a warning says so.
pub fn listen_address(requested: Option<SocketAddr>, allow_non_loopback: bool) -> Result<SocketAddr, String> {
    let address = requested.unwrap_or(DEFAULT_LISTEN);
    if address.ip().is_loopback() {
        return Ok(address);
    }
    if !allow_non_loopback {
        return Err(format!(
            "--listen {address} is not a loopback address: tokens would be served beyond this machine. \
             Use 127.0.0.1:PORT, or add --allow-non-loopback if that is really meant"
        ));
    }
    super::log::line(&format!(
        "WARNING: listening on {address}, beyond loopback: anyone who can reach it \
         and learns IDENTITY_HEADER gets tokens for this Studio session"
    ));
    Ok(address)
}

/// The `X-IDENTITY-HEADER` secret: 32 random bytes in hex, new at every
/// start, zeroed when dropped.
pub struct HeaderSecret(Zeroizing<String>);

impl HeaderSecret {
    pub fn generate() -> Result<HeaderSecret, String> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(&mut *bytes).map_err(|e| format!("cannot draw the header secret from the OS: {e}"))?;
        let mut hex = Zeroizing::new(String::with_capacity(64));
        for byte in bytes.iter() {
            hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
            hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 0xf)]));
        }
        Ok(HeaderSecret(hex))
    }

    /// The value to hand to clients (`IDENTITY_HEADER`).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether `presented` is the secret, in time that does not depend on
    /// where they differ (the length is not secret).
    pub fn matches(&self, presented: &[u8]) -> bool {
        self.0.as_bytes().ct_eq(presented).into()
    }
}

/// The address clients are told to use: a wildcard listen address is
/// reached through loopback by the processes of this machine.
pub fn client_address(bound: SocketAddr) -> SocketAddr {
    match bound.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), bound.port()),
        IpAddr::V6(ip) if ip.is_unspecified() => SocketAddr::new(IpAddr::V6(std::net::Ipv6Addr::LOCALHOST), bound.port()),
        _ => bound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_64_hex_digits_and_differ() {
        let (a, b) = (HeaderSecret::generate().unwrap(), HeaderSecret::generate().unwrap());
        assert_eq!(a.expose().len(), 64);
        assert!(a.expose().bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a.expose(), b.expose());
        assert!(a.matches(a.expose().as_bytes()));
        assert!(!a.matches(b.expose().as_bytes()));
        assert!(!a.matches(&a.expose().as_bytes()[..63]));
        assert!(!a.matches(b""));
    }

    #[test]
    fn only_loopback_without_the_flag() {
        assert_eq!(listen_address(None, false).unwrap(), DEFAULT_LISTEN);
        assert!(listen_address(Some("127.0.0.2:9000".parse().unwrap()), false).is_ok());
        assert!(listen_address(Some("[::1]:9000".parse().unwrap()), false).is_ok());
        let refused = listen_address(Some("0.0.0.0:9000".parse().unwrap()), false).unwrap_err();
        assert!(refused.contains("--allow-non-loopback"), "{refused}");
        assert!(listen_address(Some("0.0.0.0:9000".parse().unwrap()), true).is_ok());
    }

    #[test]
    fn wildcard_is_reached_through_loopback() {
        assert_eq!(client_address("0.0.0.0:80".parse().unwrap()), "127.0.0.1:80".parse().unwrap());
        assert_eq!(client_address("[::]:80".parse().unwrap()), "[::1]:80".parse().unwrap());
        assert_eq!(client_address("127.0.0.1:80".parse().unwrap()), "127.0.0.1:80".parse().unwrap());
    }
}
