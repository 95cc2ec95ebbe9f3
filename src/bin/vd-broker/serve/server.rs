//! The HTTP server: hyper's HTTP/1.1 connections on tokio, bounded in
//! number (`connections`), in request-head size and in time, each request
//! checked by `protocol` and answered from the core's client (one process,
//! one cache) through `tokens`.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use vd_broker::Client;

use super::connections::{SeatRef, Slots};
use super::log::{self, Tally};
use super::protocol::{self, Answer};
use super::security::{HeaderSecret, HEAD_TIMEOUT, MAX_REQUEST_HEAD};
use super::tokens::Mints;

/// What every connection shares.
pub struct Endpoint {
    pub client: Arc<Client>,
    pub secret: HeaderSecret,
    pub tally: Arc<Tally>,
    pub mints: Arc<Mints>,
}

impl Endpoint {
    pub fn new(client: Arc<Client>, secret: HeaderSecret) -> Endpoint {
        Endpoint { client, secret, tally: Arc::default(), mints: Arc::default() }
    }
}

/// Accepts and serves connections until the runtime stops.
pub async fn serve(listener: TcpListener, endpoint: Arc<Endpoint>) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_buf_size(MAX_REQUEST_HEAD)
        .max_header_size(MAX_REQUEST_HEAD)
        .keep_alive(true)
        // A client that shuts its side down after its request (`nc -N`,
        // some HTTP/1.0 clients) still gets the answer.
        .half_close(true)
        // The token body goes out as its own buffer rather than copied
        // into hyper's (which is not zeroed).
        .writev(true);
    let http = Arc::new(http);
    let slots = Slots::new();
    tokio::spawn(log::report_every_interval(Arc::clone(&endpoint.tally)));
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Out of file descriptors, most likely: let some close.
                log::line(&format!("cannot accept a connection: {error}"));
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // Past the bound, the longest-idle connection makes room.
        let slot = slots.take(|| endpoint.tally.evicted()).await;
        let _ = stream.set_nodelay(true);
        let (http, endpoint) = (Arc::clone(&http), Arc::clone(&endpoint));
        tokio::spawn(async move {
            let (seat, tally) = (slot.seat(), Arc::clone(&endpoint.tally));
            let service = service_fn(move |request| answer(Arc::clone(&endpoint), seat.clone(), request));
            let connection = http.serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                outcome = connection => {
                    if let Err(error) = outcome {
                        count_connection_error(&error, &tally);
                    }
                }
                // Dropping the connection closes it: it was idle.
                () = slot.evicted() => {}
            }
            drop(slot);
        });
    }
}

async fn answer(endpoint: Arc<Endpoint>, seat: SeatRef, request: Request<Incoming>) -> Result<Answer, Infallible> {
    let _busy = seat.busy();
    let started = Instant::now();
    // The body is never read: a GET has none, and hyper discards one.
    let (parts, _body) = request.into_parts();
    let resource = match protocol::check(&parts, &endpoint.secret) {
        Ok(resource) => resource,
        Err(refusal) => {
            // Counted, not logged one by one: anyone can send these.
            endpoint.tally.refused(refusal.status.as_u16());
            return Ok(refusal.into_answer());
        }
    };
    let answer = match endpoint.mints.token(&endpoint.client, &resource).await {
        Some(Ok(token)) => protocol::token_answer(&token, &resource),
        Some(Err(error)) => protocol::core_failure(&error).into_answer(),
        None => protocol::internal_failure().into_answer(),
    };
    log_request(&parts.method, &resource, answer.status(), started.elapsed());
    Ok(answer)
}

/// One line per token request (its caller had the secret): method,
/// resource, status, latency — never a header or a token. The resource is
/// quoted and cut short, so it cannot forge log lines.
fn log_request(method: &Method, resource: &str, status: StatusCode, latency: Duration) {
    let resource = format!("{:?}", resource.chars().take(200).collect::<String>());
    // A method is an HTTP token (hyper checks): nothing to quote.
    let method: String = method.as_str().chars().take(16).collect();
    log::line(&format!("{method} {resource} {} {:.2} ms", status.as_u16(), latency.as_secs_f64() * 1e3));
}

/// Requests hyper refused before they reached `answer` are counted too.
fn count_connection_error(error: &hyper::Error, tally: &Tally) {
    if error.is_parse_too_large() {
        tally.refused(431);
    } else if error.is_timeout() {
        tally.timed_out();
    } else if error.is_parse() {
        tally.refused(400);
    }
    // Anything else is the client going away mid-answer: nothing to say.
}
