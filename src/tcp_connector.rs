//! Opens the broker's TCP connection, within the call's timeout, for the
//! socket transport.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use ureq::unversioned::transport::{ConnectionDetails, Connector, Either, NextTimeout, Transport};
use ureq::Error;

use crate::socket_transport::{deadline, into_error, SocketTransport};

/// The shortest attempt an address is given when several share the time left.
const MIN_ATTEMPT: Duration = Duration::from_millis(10);

/// Connects to the resolved addresses in turn, unless a connector before it
/// in the chain (a CONNECT proxy) already has a connection.
#[derive(Debug)]
pub(crate) struct TcpConnector;

impl<In: Transport> Connector<In> for TcpConnector {
    type Out = Either<In, SocketTransport<TcpStream>>;

    fn connect(&self, details: &ConnectionDetails, chained: Option<In>) -> Result<Option<Self::Out>, Error> {
        if let Some(tunnel) = chained {
            return Ok(Some(Either::A(tunnel)));
        }
        let stream = connect_any(&details.addrs, details.timeout)?;
        if details.config.no_delay() {
            stream.set_nodelay(true)?;
        }
        Ok(Some(Either::B(SocketTransport::new(stream, details)?)))
    }
}

/// The first of `addrs` to accept; the addresses not yet tried share the
/// time left equally. A refusal or unreachable network moves on to the next.
fn connect_any(addrs: &[SocketAddr], timeout: NextTimeout) -> Result<TcpStream, Error> {
    let deadline = deadline(timeout)?;
    let mut last_error = io::Error::new(io::ErrorKind::ConnectionRefused, "no address to connect to");
    for (tried, addr) in addrs.iter().enumerate() {
        let attempt = match deadline {
            None => TcpStream::connect(addr),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    last_error = io::ErrorKind::TimedOut.into();
                    break;
                }
                let share = (left / (addrs.len() - tried) as u32).max(MIN_ATTEMPT).min(left);
                TcpStream::connect_timeout(addr, share)
            }
        };
        match attempt {
            Ok(stream) => return Ok(stream),
            Err(error) => last_error = error,
        }
    }
    Err(into_error(timeout)(last_error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use ureq::unversioned::transport::time::Duration as UreqDuration;
    use ureq::Timeout;

    fn within(ms: u64) -> NextTimeout {
        NextTimeout { after: UreqDuration::from_millis(ms), reason: Timeout::Global, ..NextTimeout::default() }
    }

    #[test]
    fn a_refusing_address_is_skipped_for_the_next() {
        let refusing = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap(); // closed on drop
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let stream = connect_any(&[refusing, listener.local_addr().unwrap()], within(5_000)).unwrap();
        assert_eq!(stream.peer_addr().unwrap(), listener.local_addr().unwrap());
    }

    #[test]
    fn when_every_address_refuses_the_last_refusal_is_the_error() {
        let refusing = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        match connect_any(&[refusing], within(5_000)) {
            Err(Error::Io(error)) => assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn no_time_left_is_a_timeout() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        assert!(matches!(connect_any(&[listener.local_addr().unwrap()], within(0)), Err(Error::Timeout(Timeout::Global))));
    }
}
