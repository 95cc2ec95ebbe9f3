//! HTTP over a Unix socket, for the runtime-access helper.
//!
//! ureq speaks HTTP/1.1 over any [`Transport`]; this module's connector dials
//! a fixed Unix socket path instead of the URI's host (which is never
//! resolved) and hands the socket to the same transport the broker's TCP
//! connection uses.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{ConnectionDetails, Connector, NextTimeout, ShutdownHandle, Transport};
use ureq::{Agent, Error};

use crate::socket_transport::SocketTransport;

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
        let socket = Socket(UnixStream::connect(&self.path)?);
        Ok(Some(SocketTransport::new(socket, details)?))
    }
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
