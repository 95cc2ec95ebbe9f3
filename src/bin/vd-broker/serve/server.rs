//! The HTTP server: hyper's HTTP/1.1 connections on tokio, bounded in
//! number, in request-head size and in time, each request checked by
//! `protocol` and answered from the core's client (one process, one cache).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use vd_broker::Client;

use super::protocol::{self, Answer};
use super::security::{HeaderSecret, HEAD_TIMEOUT, MAX_CONNECTIONS, MAX_REQUEST_HEAD};

/// What every connection shares.
pub struct Endpoint {
    pub client: Arc<Client>,
    pub secret: HeaderSecret,
}

/// Accepts and serves connections until the runtime stops.
pub async fn serve(listener: TcpListener, endpoint: Arc<Endpoint>) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEAD_TIMEOUT)
        .max_buf_size(MAX_REQUEST_HEAD)
        .max_header_size(MAX_REQUEST_HEAD)
        .keep_alive(true)
        // The token body goes out as its own buffer rather than copied
        // into hyper's (which is not zeroed).
        .writev(true);
    let http = Arc::new(http);
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        // A slot first: past the bound, connections wait in the listen queue.
        let slot = Arc::clone(&slots).acquire_owned().await.expect("the semaphore is never closed");
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Out of file descriptors, most likely: let some close.
                eprintln!("vd-broker serve: cannot accept a connection: {error}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let (http, endpoint) = (Arc::clone(&http), Arc::clone(&endpoint));
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(Arc::clone(&endpoint), request));
            if let Err(error) = http.serve_connection(TokioIo::new(stream), service).await {
                log_connection_error(&error);
            }
            drop(slot);
        });
    }
}

async fn answer(endpoint: Arc<Endpoint>, request: Request<Incoming>) -> Result<Answer, Infallible> {
    let started = Instant::now();
    // The body is never read: a GET has none, and hyper discards one.
    let (parts, _body) = request.into_parts();
    let (resource, answer) = match protocol::check(&parts, &endpoint.secret) {
        Err(refusal) => (None, refusal.into_answer()),
        Ok(resource) => {
            let answer = token(&endpoint.client, &resource).await;
            (Some(resource), answer)
        }
    };
    log_request(&parts.method, resource.as_deref(), answer.status(), started.elapsed());
    Ok(answer)
}

/// The core's call blocks (bearer file, broker): it runs on tokio's bounded
/// blocking pool. Concurrent requests for one resource make one broker
/// request: the core's cache is single-flight.
async fn token(client: &Arc<Client>, resource: &str) -> Answer {
    let (client, scope) = (Arc::clone(client), resource.to_string());
    match tokio::task::spawn_blocking(move || client.get_token(&scope)).await {
        Ok(Ok(token)) => protocol::token_answer(&token, resource),
        Ok(Err(error)) => protocol::core_failure(&error).into_answer(),
        Err(_) => protocol::internal_failure().into_answer(),
    }
}

/// One line per request on stderr: method, resource, status, latency —
/// never a header or a token. Values a client chose are quoted and cut
/// short, so they cannot forge log lines.
fn log_request(method: &Method, resource: Option<&str>, status: StatusCode, latency: Duration) {
    let resource = match resource {
        Some(resource) => format!("{:?}", resource.chars().take(200).collect::<String>()),
        None => "-".to_string(),
    };
    // A method is an HTTP token (hyper checks): nothing to quote.
    let method: String = method.as_str().chars().take(16).collect();
    eprintln!("vd-broker serve: {method} {resource} {} {:.2} ms", status.as_u16(), latency.as_secs_f64() * 1e3);
}

/// Requests hyper refused before they reached `answer` get their line too.
fn log_connection_error(error: &hyper::Error) {
    if error.is_parse_too_large() {
        eprintln!("vd-broker serve: - - 431 (request head over {MAX_REQUEST_HEAD} bytes; connection closed)");
    } else if error.is_timeout() {
        eprintln!("vd-broker serve: - - - (no complete request head within {} s; connection closed)", HEAD_TIMEOUT.as_secs());
    } else if error.is_parse() {
        eprintln!("vd-broker serve: - - 400 (malformed request; connection closed)");
    }
    // Anything else is the client going away mid-answer: nothing to say.
}
