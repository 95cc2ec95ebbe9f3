//! The runtime-access helper: in newer Studio containers a process on a Unix
//! socket holds the intent bearer and mints on our behalf
//! (`POST /v1/credentials` with `{"scope", "audience"}`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};
use ureq::http::header::CONTENT_TYPE;

use crate::audience::broker_scope_of;
use crate::error::{Error, ErrorKind};
use crate::fork::PerProcess;
use crate::http::{self, Answer, Endpoint};
use crate::response;
use crate::retry::Failure;
use crate::token::{unix_now, AccessToken};
use crate::unix_socket;

/// The header that marks an answer as the helper's own refusal.
pub const REFUSAL_HEADER: &str = "x-runtime-access-error";

pub(crate) struct AccessHelper {
    socket: PathBuf,
    /// This process's connection (a forked child must not share the parent's socket).
    agent: PerProcess<ureq::Agent, Box<dyn Fn() -> ureq::Agent + Send + Sync>>,
    endpoint: Endpoint,
}

impl AccessHelper {
    pub fn new(socket: &Path) -> AccessHelper {
        AccessHelper {
            socket: socket.to_path_buf(),
            agent: PerProcess::new({
                let socket = socket.to_path_buf();
                Box::new(move || unix_socket::agent(socket.clone(), http::agent_config()))
            }),
            endpoint: Endpoint {
                name: format!("the runtime-access helper at {}", socket.display()),
                hint: "is the Studio agent container's helper running?",
            },
        }
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    pub fn request_body(audience: &str) -> Vec<u8> {
        json!({ "scope": broker_scope_of(audience), "audience": audience }).to_string().into_bytes()
    }

    /// One mint, allowed `timeout` in all.
    pub fn mint(&self, body: &[u8], timeout: Duration) -> Result<AccessToken, Failure> {
        let answer = http::exchange(timeout, &self.endpoint, || {
            self.agent
                .get()
                .post("http://runtime-access/v1/credentials")
                .config()
                .timeout_global(Some(timeout))
                .build()
                .header(CONTENT_TYPE, "application/json")
                .send(body)
        })?;
        self.interpret(answer)
    }

    fn interpret(&self, answer: Answer) -> Result<AccessToken, Failure> {
        let status = answer.status;
        if answer.headers.contains_key(REFUSAL_HEADER) {
            let (code, message) = refusal(&answer.body);
            let error = Error::new(
                ErrorKind::AccessHelperRefused,
                format!("{} refused the request ({status}, {code}): {message}", self.endpoint.name),
            );
            return Err(Failure::answered(error, status, answer.retry_after()));
        }
        if status != 200 {
            let error = Error::new(ErrorKind::BrokerStatus, format!("{} answered HTTP {status}", self.endpoint.name));
            return Err(Failure::answered(error, status, answer.retry_after()));
        }
        response::parse_token(&answer.body, unix_now(), &self.endpoint.name).map_err(Failure::fatal)
    }
}

/// `code` and `message` of the helper's refusal envelope, printable.
fn refusal(body: &[u8]) -> (String, String) {
    let envelope = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => object,
        _ => Default::default(),
    };
    let field = |name: &str, default: &str| match envelope.get(name) {
        Some(Value::String(text)) if !text.trim().is_empty() => http::excerpt(text.trim()),
        Some(other) if !other.is_null() && !other.is_string() => http::excerpt(&other.to_string()),
        _ => default.to_string(),
    };
    (field("code", "unknown"), field("message", "no reason given"))
}
