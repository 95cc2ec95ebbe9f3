//! The Studio credential broker: `POST {broker_url}/token` with the intent
//! bearer, answered with an audience-bound Azure token.

use std::time::Duration;

use serde_json::{json, Value};
use ureq::http::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use ureq::http::{HeaderValue, Uri};
use zeroize::Zeroizing;

use crate::audience::broker_scope_of;
use crate::bearer::Bearer;
use crate::config::CredentialContext;
use crate::error::{Error, ErrorKind};
use crate::fork::PerProcess;
use crate::http::{self, Answer, Endpoint};
use crate::redact::{redact, url_without_userinfo};
use crate::response;
use crate::retry::Failure;
use crate::token::{unix_now, AccessToken};

/// The broker of one client, with its own connection pool.
pub(crate) struct Broker {
    token_url: String,
    /// `token_url`, parsed once rather than on every request.
    token_uri: Uri,
    /// Its `Host` header, likewise (ureq would format it on every request).
    host: Option<HeaderValue>,
    /// This process's connection pool (a forked child must not share the parent's sockets).
    agent: PerProcess<ureq::Agent>,
    endpoint: Endpoint,
}

impl Broker {
    /// A broker at `base_url` (already validated, no trailing `/`).
    pub fn new(base_url: &str) -> Result<Broker, Error> {
        let token_url = format!("{base_url}/token");
        let endpoint = Endpoint {
            name: format!("the credential broker at {}", url_without_userinfo(&token_url)),
            hint: "is Studio running?",
        };
        let token_uri = token_url.parse().map_err(|_| {
            Error::configuration(format!("{} is not a valid URL; check the broker URL", url_without_userinfo(&token_url)))
        })?;
        let host = http::host_header(&token_uri);
        Ok(Broker { agent: PerProcess::new(http::broker_agent), token_url, token_uri, host, endpoint })
    }

    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    /// The JSON body asking for `audience`; newer brokers also get the lane,
    /// the pinned revision and the audience's scope.
    pub fn request_body(audience: &str, context: Option<&CredentialContext>) -> Vec<u8> {
        let body = match context {
            None => json!({ "audience": audience }),
            Some(context) => json!({
                "audience": audience,
                "scope": broker_scope_of(audience),
                "lane": context.lane,
                "configurationRevision": context.configuration_revision,
            }),
        };
        body.to_string().into_bytes()
    }

    /// One exchange, allowed `timeout` in all.
    pub fn exchange(&self, bearer: &Bearer, body: &[u8], timeout: Duration) -> Result<AccessToken, Failure> {
        // Two copies into a string of the right size (format!'s machinery
        // costs more than the copies); zeroed once the header holds it.
        let mut text = Zeroizing::new(String::with_capacity("Bearer ".len() + bearer.as_str().len()));
        text.push_str("Bearer ");
        text.push_str(bearer.as_str());
        let mut authorization = HeaderValue::from_str(&text)
            .map_err(|_| Failure::fatal(Error::new(ErrorKind::CredentialUnreadable, "the bearer cannot be sent in an HTTP header")))?;
        authorization.set_sensitive(true);
        // No per-request ureq timeout (a copy of the agent's whole config on
        // every call): `http::exchange` holds the deadline, and every wait of
        // our resolver, connector and transport ends by it.
        let answer = http::exchange(timeout, &self.endpoint, || {
            let mut request = self.agent.get().post(self.token_uri.clone());
            if let Some(host) = &self.host {
                request = request.header(HOST, host.clone());
            }
            request
                .header(AUTHORIZATION, authorization)
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .send(body)
        })?;
        self.interpret(answer, bearer)
    }

    fn interpret(&self, answer: Answer, bearer: &Bearer) -> Result<AccessToken, Failure> {
        match answer.status {
            200..=299 => response::parse_token(&answer.body, unix_now(), &self.endpoint.name).map_err(Failure::fatal),
            status @ (401 | 403) => Err(Failure::answered(
                Error::new(
                    ErrorKind::BrokerRejected,
                    format!(
                        "broker rejected the request ({status}): the intent access token may be \
                         expired, revoked or out of scope{}",
                        detail(&answer.body, bearer)
                    ),
                ),
                status,
                None,
            )),
            status => Err(Failure::answered(
                Error::new(
                    ErrorKind::BrokerStatus,
                    format!("{} answered HTTP {status}{}", self.endpoint.name, detail(&answer.body, bearer)),
                ),
                status,
                answer.retry_after(),
            )),
        }
    }
}

/// The broker's own explanation from a JSON error body, if it gave one.
fn detail(body: &[u8], bearer: &Bearer) -> String {
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) else {
        return String::new();
    };
    let said = ["error_description", "message", "detail", "error"]
        .iter()
        .find_map(|field| object.get(*field).and_then(Value::as_str));
    match said {
        // Redacted with the bearer in hand: an echo of it, or of a part of
        // it, however escaped, is masked.
        Some(text) if !text.trim().is_empty() => format!(": {}", http::excerpt(redact(text, Some(bearer.as_str())).trim())),
        _ => String::new(),
    }
}
