//! The App Service managed-identity protocol, as every Azure SDK speaks it:
//! `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=R` with
//! `X-IDENTITY-HEADER`, answered `{"access_token", "expires_in", "expires_on",
//! "resource", "token_type"}` or `{"error", "error_description", "statusCode", "message"}`.

use std::time::{SystemTime, UNIX_EPOCH};

use hyper::body::Bytes;
use hyper::header::{HeaderValue, ALLOW, CACHE_CONTROL, CONTENT_TYPE};
use hyper::http::request::Parts;
use hyper::{Method, Response, StatusCode};
use http_body_util::Full;
use vd_broker::audience::resource_of;
use vd_broker::{AccessToken, Error, ErrorKind};
use zeroize::Zeroizing;

use super::security::HeaderSecret;

/// The endpoint's path (`IDENTITY_ENDPOINT` names it); a trailing `/` is accepted.
pub const TOKEN_PATH: &str = "/msi/token";
pub const API_VERSION: &str = "2019-08-01";
const IDENTITY_HEADER: &str = "x-identity-header";

pub type Answer = Response<Full<Bytes>>;

/// A request answered with an error: its status, a stable code and what to do.
pub struct Refusal {
    pub status: StatusCode,
    error: &'static str,
    description: String,
}

impl Refusal {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Refusal {
        Refusal { status, error, description: description.into() }
    }

    pub fn into_answer(self) -> Answer {
        // `statusCode` and `message` too: App Service's own error shape,
        // the one MSAL Python shows its users.
        let body = serde_json::json!({
            "error": self.error,
            "error_description": self.description,
            "statusCode": self.status.as_u16(),
            "message": self.description,
        });
        let mut answer = answer(self.status, Bytes::from(body.to_string()));
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            answer.headers_mut().insert(ALLOW, HeaderValue::from_static("GET"));
        }
        answer
    }
}

/// Everything about a request but the token itself, in this order: the
/// path (404), the method (405), forwarding headers (400), the header
/// secret (401), the query (400). Ok is the resource asked for, as sent.
pub fn check(request: &Parts, secret: &HeaderSecret) -> Result<String, Refusal> {
    let path = request.uri.path();
    if path != TOKEN_PATH && path.strip_suffix('/') != Some(TOKEN_PATH) {
        return Err(Refusal::new(StatusCode::NOT_FOUND, "not_found", format!("the token endpoint is {TOKEN_PATH}")));
    }
    if request.method != Method::GET {
        return Err(Refusal::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "only GET is served"));
    }
    // The SSRF guard IMDS uses: a proxy or a server-side request forger
    // adds these; a local SDK never does.
    if request.headers.contains_key("x-forwarded-for") || request.headers.contains_key("forwarded") {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "requests carrying X-Forwarded-For or Forwarded are refused: the endpoint serves this machine's processes directly",
        ));
    }
    match request.headers.get(IDENTITY_HEADER) {
        None => {
            return Err(Refusal::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "the X-IDENTITY-HEADER header is missing: send the value of IDENTITY_HEADER",
            ))
        }
        Some(value) if !secret.matches(value.as_bytes()) => {
            return Err(Refusal::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "the X-IDENTITY-HEADER header is wrong: send the value of IDENTITY_HEADER this endpoint was started with",
            ))
        }
        Some(_) => {}
    }
    resource_in(request.uri.query().unwrap_or(""))
}

/// `resource` from the query, with `api-version=2019-08-01`. `client_id`,
/// `object_id` and `mi_res_id` are accepted and ignored: a Studio session
/// has one identity.
fn resource_in(query: &str) -> Result<String, Refusal> {
    let mut api_version = None;
    let mut resource = None;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let slot = match name.as_ref() {
            "api-version" => &mut api_version,
            "resource" => &mut resource,
            _ => continue,
        };
        if slot.replace(value.into_owned()).is_some() {
            return Err(Refusal::new(StatusCode::BAD_REQUEST, "invalid_request", format!("{name} is given more than once")));
        }
    }
    match api_version.as_deref() {
        Some(API_VERSION) => {}
        Some(other) => {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                format!("api-version {other:?} is not served; use api-version={API_VERSION}"),
            ))
        }
        None => {
            return Err(Refusal::new(StatusCode::BAD_REQUEST, "invalid_request", format!("api-version is missing; use api-version={API_VERSION}")))
        }
    }
    match resource {
        Some(resource) if !resource.is_empty() => Ok(resource),
        _ => Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "resource is missing: ask for a resource, e.g. resource=https://storage.azure.com",
        )),
    }
}

/// The token answer. `expires_on` is a string of Unix seconds, the one form
/// every SDK parses (Rust's requires a string); `expires_in`, the seconds
/// left, is a string too, as IMDS sends it: MSAL's fallback, and the only
/// field some clients read (hashicorp's go-azure-sdk).
pub fn token_answer(token: &AccessToken, resource: &str) -> Answer {
    let resource = serde_json::Value::from(resource_of(resource)).to_string();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let expires_in = token.expires_on().saturating_sub(now).max(0);
    let tail = format!(
        ",\"expires_in\":\"{expires_in}\",\"expires_on\":\"{}\",\"resource\":{resource},\"token_type\":\"Bearer\"}}",
        token.expires_on()
    );
    // One buffer, sized for the worst JSON escaping so that no reallocation
    // leaves a copy of the token behind; zeroed when hyper drops it.
    let mut body = Zeroizing::new(Vec::with_capacity(16 + 6 * token.secret().len() + 2 + tail.len()));
    body.extend_from_slice(b"{\"access_token\":");
    serde_json::to_writer(&mut *body, token.secret()).expect("a string serializes");
    body.extend_from_slice(tail.as_bytes());
    answer(StatusCode::OK, Bytes::from_owner(body))
}

/// A failure of the core, as the endpoint's answer. The mapping (also in
/// the README): what the caller can fix is 400; the broker refusing the
/// Studio session is 403; the broker or bearer file being unavailable is
/// 503 and a bad broker answer 502 (an SDK retries both); a broker timeout
/// is 504; anything else is 500.
pub fn core_failure(error: &Error) -> Refusal {
    let (status, code) = match error.kind() {
        ErrorKind::ScopeNotAllowed => (StatusCode::BAD_REQUEST, "invalid_resource"),
        ErrorKind::InvalidArgument | ErrorKind::InvalidUtf8 => (StatusCode::BAD_REQUEST, "invalid_request"),
        ErrorKind::BrokerRejected | ErrorKind::AccessHelperRefused => (StatusCode::FORBIDDEN, "broker_rejected"),
        ErrorKind::CredentialUnreadable | ErrorKind::CredentialBlank => (StatusCode::SERVICE_UNAVAILABLE, "credential_unavailable"),
        ErrorKind::BrokerUnreachable => (StatusCode::SERVICE_UNAVAILABLE, "broker_unreachable"),
        ErrorKind::BrokerStatus | ErrorKind::BrokerResponse => (StatusCode::BAD_GATEWAY, "broker_error"),
        ErrorKind::Timeout => (StatusCode::GATEWAY_TIMEOUT, "broker_timeout"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
    };
    // The core's messages never hold the bearer or a token.
    Refusal::new(status, code, error.message().to_string())
}

/// The endpoint failed itself (a panic in a worker): 500.
pub fn internal_failure() -> Refusal {
    Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "the endpoint failed; please report it")
}

fn answer(status: StatusCode, body: Bytes) -> Answer {
    let mut answer = Response::new(Full::new(body));
    *answer.status_mut() = status;
    let headers = answer.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    // Tokens must not land in any cache between here and the SDK.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(query: &str) -> Result<String, StatusCode> {
        resource_in(query).map_err(|r| r.status)
    }

    #[test]
    fn query_needs_the_api_version_and_one_resource() {
        let ok = "api-version=2019-08-01&resource=https%3A%2F%2Fvault.azure.net&client_id=x&object_id=y&mi_res_id=z";
        assert_eq!(resource(ok).unwrap(), "https://vault.azure.net");
        assert_eq!(resource("resource=https://vault.azure.net/.default&api-version=2019-08-01").unwrap(), "https://vault.azure.net/.default");
        assert_eq!(resource("resource=https://vault.azure.net").unwrap_err(), StatusCode::BAD_REQUEST);
        assert_eq!(resource("api-version=2017-09-01&resource=https://vault.azure.net").unwrap_err(), StatusCode::BAD_REQUEST);
        assert_eq!(resource("api-version=2019-08-01").unwrap_err(), StatusCode::BAD_REQUEST);
        assert_eq!(resource("api-version=2019-08-01&resource=").unwrap_err(), StatusCode::BAD_REQUEST);
        assert_eq!(resource("api-version=2019-08-01&resource=a&resource=b").unwrap_err(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn every_failure_kind_has_a_status() {
        let status = |kind| core_failure(&Error::new(kind, "m")).status.as_u16();
        assert_eq!(status(ErrorKind::ScopeNotAllowed), 400);
        assert_eq!(status(ErrorKind::BrokerRejected), 403);
        assert_eq!(status(ErrorKind::AccessHelperRefused), 403);
        assert_eq!(status(ErrorKind::CredentialBlank), 503);
        assert_eq!(status(ErrorKind::BrokerUnreachable), 503);
        assert_eq!(status(ErrorKind::BrokerStatus), 502);
        assert_eq!(status(ErrorKind::BrokerResponse), 502);
        assert_eq!(status(ErrorKind::Timeout), 504);
        assert_eq!(status(ErrorKind::Panic), 500);
    }
}
