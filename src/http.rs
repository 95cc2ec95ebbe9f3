//! One HTTP exchange with a bounded answer, shared by the broker and the
//! runtime-access helper: the agent's settings, the transport failures turned
//! into errors, and the answer read into zeroed-on-drop memory.

use std::time::{Duration, Instant, SystemTime};

use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;

use ureq::config::Config;
use ureq::http::uri::{Authority, Scheme};
use ureq::http::{HeaderMap, HeaderValue, Response, Uri};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{ConnectProxyConnector, Connector, NextTimeout, RustlsConnector};
use ureq::{Body, Error as UreqError};

use crate::error::{io_reason, Error, ErrorKind};
use crate::retry::Failure;
use crate::socket_transport::deadline;
use crate::tcp_connector::TcpConnector;
use crate::wipe::WipedBytes;

/// Answers larger than this are refused (a broker answering 1 GB must not
/// take the process's memory with it).
pub(crate) const MAX_ANSWER_BYTES: u64 = 1024 * 1024;

/// Size of each connection's input and output buffers.
const IO_BUFFER_BYTES: usize = 16 * 1024;

/// An agent for the broker: ureq's chain — a CONNECT proxy when the
/// environment names one, else a direct connection, then TLS for https —
/// with our socket transport for the connection, and our resolver.
pub(crate) fn broker_agent() -> ureq::Agent {
    let connector = ().chain(ConnectProxyConnector::default()).chain(TcpConnector).chain(RustlsConnector::default());
    ureq::Agent::with_parts(agent_config(), connector, LiteralFirstResolver::default())
}

/// Resolves IP literals (the usual loopback broker) without a lookup.
///
/// ureq resolves before it looks in its connection pool, and with a timeout
/// set it runs every lookup on a new thread — for a literal address that is
/// a thread per call spent on nothing. Host names still go to ureq's
/// resolver, bounded by the call's timeout.
#[derive(Debug, Default)]
struct LiteralFirstResolver {
    dns: DefaultResolver,
    /// The first literal address resolved, with the scheme and authority it
    /// came from: the requests after it (an agent asks one broker) skip the
    /// parsing.
    first: OnceLock<(Option<Scheme>, Authority, SocketAddr)>,
}

impl LiteralFirstResolver {
    fn one(&self, addr: SocketAddr) -> ResolvedSocketAddrs {
        let mut addrs = self.empty();
        addrs.push(addr);
        addrs
    }
}

impl Resolver for LiteralFirstResolver {
    fn resolve(&self, uri: &Uri, config: &Config, timeout: NextTimeout) -> Result<ResolvedSocketAddrs, UreqError> {
        if let (Some((scheme, authority, addr)), Some(asked)) = (self.first.get(), uri.authority()) {
            if asked == authority && uri.scheme() == scheme.as_ref() {
                return Ok(self.one(*addr));
            }
        }
        let host = uri.host().unwrap_or_default();
        let literal = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>();
        let port = uri.port_u16().or_else(|| default_port(uri));
        match (literal, port) {
            (Ok(ip), Some(port)) => {
                let addr = SocketAddr::new(ip, port);
                if let Some(authority) = uri.authority() {
                    let _ = self.first.set((uri.scheme().cloned(), authority.clone(), addr));
                }
                Ok(self.one(addr))
            }
            // The lookup may not outlast the request (ureq's timeout for it
            // is counted from now, not from the request's start).
            _ => {
                let mut timeout = timeout;
                if let Some(deadline) = deadline(timeout)? {
                    timeout.after = deadline.saturating_duration_since(Instant::now()).into();
                }
                self.dns.resolve(uri, config, timeout)
            }
        }
    }
}

/// Settings every agent of ours shares: statuses are answers, not errors;
/// no redirects (the bearer must not follow one); our name in User-Agent.
pub(crate) fn agent_config() -> Config {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("vd_broker/", env!("CARGO_PKG_VERSION")))
        // No `Accept: */*`: it says what no Accept header says, and costs a
        // header built, checked and written on every request.
        .accept("")
        // A broker's answer head is a few hundred bytes (the body streams
        // and is bounded separately): 16 KiB instead of ureq's 128 KiB
        // default keeps each pooled connection small in every process.
        .input_buffer_size(IO_BUFFER_BYTES)
        .output_buffer_size(IO_BUFFER_BYTES)
        .build()
}

/// The `Host` header for `uri` as ureq writes it — the port only when it is
/// not the scheme's default — to be worked out once, not on every request.
pub(crate) fn host_header(uri: &Uri) -> Option<HeaderValue> {
    let host = uri.host()?;
    let value = match (uri.port_u16(), default_port(uri)) {
        (Some(port), Some(default)) if port != default => format!("{host}:{port}"),
        _ => host.to_string(),
    };
    HeaderValue::from_str(&value).ok()
}

/// The port `uri`'s scheme implies when it names none.
fn default_port(uri: &Uri) -> Option<u16> {
    match uri.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    }
}

/// A read answer.
pub(crate) struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: WipedBytes,
}

impl Answer {
    /// `Retry-After` as a wait: seconds, or an HTTP date.
    pub fn retry_after(&self) -> Option<Duration> {
        let value = self.headers.get("retry-after")?.to_str().ok()?.trim();
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        let when = httpdate::parse_http_date(value).ok()?;
        Some(when.duration_since(SystemTime::now()).unwrap_or_default())
    }
}

/// Who is asked, for error messages.
pub(crate) struct Endpoint {
    /// e.g. "the credential broker at http://host/api/token".
    pub name: String,
    /// What the user should check when it cannot be reached.
    pub hint: &'static str,
}

impl Endpoint {
    fn unreachable(&self, reason: &str) -> String {
        format!("could not reach {} — {} ({reason})", self.name, self.hint)
    }
}

/// One request, allowed `timeout` in all: `send` makes it, and its answer is
/// read whole. Every wait inside — resolving, connecting, a proxy's CONNECT,
/// TLS, sending, each receive — ends by the deadline `timeout` sets now.
pub(crate) fn exchange(
    timeout: Duration,
    endpoint: &Endpoint,
    send: impl FnOnce() -> Result<Response<Body>, UreqError>,
) -> Result<Answer, Failure> {
    let deadline = Instant::now() + timeout;
    crate::deadline::within(deadline, || read_answer(send(), endpoint))
}

/// Reads the whole answer, refusing one over [`MAX_ANSWER_BYTES`].
fn read_answer(sent: Result<Response<Body>, UreqError>, endpoint: &Endpoint) -> Result<Answer, Failure> {
    let mut response = sent.map_err(|e| transport_failure(e, endpoint))?;
    let status = response.status().as_u16();
    // Sized from Content-Length up front: a growing Vec would leave copies
    // of the token behind in freed memory, unzeroed (and cost a copy each).
    let expected = response.body().content_length().unwrap_or(0).min(MAX_ANSWER_BYTES) as usize;
    let mut body = WipedBytes::with_capacity(expected);
    response
        .body_mut()
        .with_config()
        .limit(MAX_ANSWER_BYTES)
        .reader()
        .read_to_end(&mut body)
        .map_err(|e| transport_failure(UreqError::from(e), endpoint))?;
    let headers = std::mem::take(response.headers_mut());
    Ok(Answer { status, headers, body })
}

fn transport_failure(error: UreqError, endpoint: &Endpoint) -> Failure {
    let because = |reason: &str| endpoint.unreachable(reason);
    match error {
        UreqError::Timeout(_) => {
            Failure::fatal(Error::new(ErrorKind::Timeout, because("no answer before the timeout")))
        }
        UreqError::BodyExceedsLimit(_) => Failure::fatal(Error::new(
            ErrorKind::BrokerResponse,
            format!("{} answered with more than {MAX_ANSWER_BYTES} bytes; refused", endpoint.name),
        )),
        UreqError::HostNotFound => {
            Failure::transient(Error::new(ErrorKind::BrokerUnreachable, because("host not found")), None)
        }
        UreqError::ConnectionFailed => {
            Failure::transient(Error::new(ErrorKind::BrokerUnreachable, because("connection failed")), None)
        }
        UreqError::Io(io) => {
            Failure::transient(Error::new(ErrorKind::BrokerUnreachable, because(&io_reason(&io))), None)
        }
        UreqError::Protocol(_) | UreqError::LargeResponseHeader(..) => Failure::transient(
            Error::new(ErrorKind::BrokerUnreachable, because("the answer was not valid HTTP/1.1")),
            None,
        ),
        other => Failure::fatal(Error::new(ErrorKind::BrokerUnreachable, because(&other.to_string()))),
    }
}

/// A short, printable excerpt of a server-provided text for an error message.
pub(crate) fn excerpt(text: &str) -> String {
    const LIMIT: usize = 300;
    let mut out: String = text.chars().filter(|c| !c.is_control()).take(LIMIT).collect();
    if text.chars().count() > LIMIT {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_of(url: &str) -> String {
        host_header(&url.parse().unwrap()).unwrap().to_str().unwrap().to_string()
    }

    #[test]
    fn a_literal_address_is_remembered_only_for_its_own_scheme_and_authority() {
        let config = agent_config();
        let resolve = |resolver: &LiteralFirstResolver, url: &str| -> SocketAddr {
            resolver.resolve(&url.parse().unwrap(), &config, NextTimeout::default()).unwrap()[0]
        };
        let resolver = LiteralFirstResolver::default();
        for (url, addr) in [
            ("http://127.0.0.1:8000/token", "127.0.0.1:8000"),
            ("http://127.0.0.1:8000/other", "127.0.0.1:8000"),
            ("http://127.0.0.1:9000/token", "127.0.0.1:9000"),
            ("http://127.0.0.2:8000/token", "127.0.0.2:8000"),
            ("http://127.0.0.1:8000/token", "127.0.0.1:8000"),
        ] {
            assert_eq!(resolve(&resolver, url), addr.parse().unwrap(), "{url}");
        }
        // The same authority under another scheme is another default port.
        let resolver = LiteralFirstResolver::default();
        assert_eq!(resolve(&resolver, "http://[::1]/token"), "[::1]:80".parse().unwrap());
        assert_eq!(resolve(&resolver, "https://[::1]/token"), "[::1]:443".parse().unwrap());
    }

    #[test]
    fn the_host_header_carries_the_port_only_when_it_is_not_the_default() {
        assert_eq!(host_of("http://127.0.0.1:8000/api/token"), "127.0.0.1:8000");
        assert_eq!(host_of("http://broker.test:80/token"), "broker.test");
        assert_eq!(host_of("https://broker.test/token"), "broker.test");
        assert_eq!(host_of("https://broker.test:80/token"), "broker.test:80");
        assert_eq!(host_of("http://user:secret@[::1]:9000/token"), "[::1]:9000");
    }
}
