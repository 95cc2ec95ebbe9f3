//! HTTP over a Unix socket, for the runtime-access helper.
//!
//! ureq speaks HTTP/1.1 over any [`Transport`]; this module's connector dials
//! a fixed Unix socket path instead of the URI's host (which is never
//! resolved) and hands the socket to the same transport the broker's TCP
//! connection uses.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{ConnectionDetails, Connector, NextTimeout, ShutdownHandle, Transport};
use ureq::{Agent, Error};

use crate::socket_transport::{deadline, into_error, set_timeout, SocketTransport};

/// An agent whose every request goes to the Unix socket at `path`.
pub(crate) fn agent(path: PathBuf, config: Config) -> Agent {
    Agent::with_parts(config, UnixConnector { path }, NoResolver)
}

struct UnixConnector {
    path: PathBuf,
}

impl fmt::Debug for UnixConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixConnector").field("path", &self.path).finish()
    }
}

impl<In: Transport> Connector<In> for UnixConnector {
    type Out = SocketTransport<Socket>;

    fn connect(&self, details: &ConnectionDetails, _: Option<In>) -> Result<Option<Self::Out>, Error> {
        let socket = Socket(connect(&self.path, deadline(details.timeout)?).map_err(into_error(details.timeout))?);
        Ok(Some(SocketTransport::new(socket, details)?))
    }
}

/// Connects to the Unix socket at `path`, waiting for room in its listen
/// backlog until `deadline` at most.
///
/// A helper whose backlog is full makes a blocking `connect(AF_UNIX)` wait
/// for room with no end, and a non-blocking one fail at once with `EAGAIN`
/// (Unix sockets have no connection in progress to poll for). A blocking
/// connect waits at most the socket's send timeout, though: that is set to
/// the time left before each try, so the kernel wakes us as soon as there
/// is room, and never after the deadline. (Sends do not block on it: the
/// transport sends with `MSG_DONTWAIT`.)
fn connect(path: &Path, deadline: Option<Instant>) -> io::Result<UnixStream> {
    let (address, address_len) = socket_address(path)?;
    // SAFETY: plain socket creation; the descriptor is owned at once.
    let fd = unsafe { libc::socket(libc::AF_UNIX, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a new descriptor nothing else owns.
    let socket = unsafe { OwnedFd::from_raw_fd(fd) };
    loop {
        if let Some(deadline) = deadline {
            let left = crate::deadline::left(deadline).ok_or(io::ErrorKind::TimedOut)?;
            set_timeout(fd, libc::SO_SNDTIMEO, Some(left))?;
        }
        // SAFETY: a valid sockaddr_un, its length passed with it.
        if unsafe { libc::connect(fd, (&raw const address).cast(), address_len) } == 0 {
            return Ok(UnixStream::from(socket));
        }
        let error = io::Error::last_os_error();
        // EAGAIN: the send timeout ran out with the backlog still full; the
        // top of the loop decides whether the deadline has.
        if !matches!(error.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted) {
            return Err(error);
        }
    }
}

/// The `sockaddr_un` for `path`, and its length.
fn socket_address(path: &Path) -> io::Result<(libc::sockaddr_un, libc::socklen_t)> {
    // SAFETY: sockaddr_un is plain data; all zeros is a valid value.
    let mut address: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    address.sun_family = libc::AF_UNIX as libc::sa_family_t;
    let bytes = path.as_os_str().as_bytes();
    // One byte is kept for the terminating NUL.
    if bytes.is_empty() || bytes.len() >= address.sun_path.len() || bytes.contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("the socket path must be 1 to {} bytes without NUL", address.sun_path.len() - 1),
        ));
    }
    for (slot, byte) in address.sun_path.iter_mut().zip(bytes) {
        *slot = *byte as libc::c_char;
    }
    let length = std::mem::size_of::<libc::sa_family_t>() + bytes.len() + 1;
    Ok((address, length as libc::socklen_t))
}

/// The connected socket, shared with the agent so [`Agent::shutdown`] can
/// interrupt a read blocked on the helper.
struct Socket(UnixStream);

impl ShutdownHandle for Socket {
    fn shutdown(&self) {
        let _ = self.0.shutdown(std::net::Shutdown::Both);
    }
}

impl AsRawFd for Socket {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

/// The host of a helper URI names nothing; the connector ignores addresses.
#[derive(Debug)]
struct NoResolver;

impl Resolver for NoResolver {
    fn resolve(&self, _: &Uri, _: &Config, _: NextTimeout) -> Result<ResolvedSocketAddrs, Error> {
        let mut addrs = self.empty();
        addrs.push(SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0)));
        Ok(addrs)
    }
}
