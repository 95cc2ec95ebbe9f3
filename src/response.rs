//! The broker's (and helper's) token answer: a JSON object with
//! `access_token`, and optionally `expires_in`, `refresh_in`, `refresh_on`.

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind};
use crate::refresh;
use crate::token::AccessToken;

/// Lifetime assumed when the broker gives no `expires_in`.
pub(crate) const DEFAULT_EXPIRES_IN: i64 = 3600;

/// Parses a 2xx body into a token, with times relative to `now` (Unix seconds).
/// `source` names the answering endpoint in error messages.
pub(crate) fn parse_token(body: &[u8], now: i64, source: &str) -> Result<AccessToken, Error> {
    let bad = |what: &str| {
        Error::new(
            ErrorKind::BrokerResponse,
            format!("{source} answered with {what}; the broker may be misconfigured or not a Studio credential broker"),
        )
    };
    let mut object: Map<String, Value> = match serde_json::from_slice(body) {
        Ok(Value::Object(object)) => object,
        Ok(_) => return Err(bad("JSON that is not an object")),
        Err(_) => return Err(bad("a body that is not JSON")),
    };
    let secret = match object.remove("access_token") {
        Some(Value::String(token)) => Zeroizing::new(token),
        Some(Value::Null) | None => return Err(bad("no 'access_token' field")),
        Some(_) => return Err(bad("an 'access_token' that is not a string")),
    };
    if secret.is_empty() {
        return Err(bad("an empty 'access_token'"));
    }
    // It will travel in an Authorization header.
    if !secret.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad("an 'access_token' holding whitespace, control or non-ASCII characters"));
    }
    let expires_in = match object.get("expires_in") {
        None | Some(Value::Null) => DEFAULT_EXPIRES_IN,
        Some(value) => seconds(value).ok_or_else(|| bad("an 'expires_in' that is not a non-negative number of seconds"))?,
    };
    let expires_on = now.saturating_add(expires_in);
    let hint = match (object.get("refresh_on"), object.get("refresh_in")) {
        (Some(on), _) if !on.is_null() => {
            Some(seconds(on).ok_or_else(|| bad("a 'refresh_on' that is not a Unix time"))?)
        }
        (_, Some(within)) if !within.is_null() => Some(now.saturating_add(
            seconds(within).ok_or_else(|| bad("a 'refresh_in' that is not a non-negative number of seconds"))?,
        )),
        _ => None,
    };
    let refresh_on = refresh::refresh_on(now, expires_on, hint);
    Ok(AccessToken::new(secret, expires_on, refresh_on))
}

/// A non-negative number of seconds: a JSON number or a numeric string
/// (the Python credential accepted both). Fractions are truncated.
fn seconds(value: &Value) -> Option<i64> {
    let number = match value {
        Value::Number(n) => n.as_i64().map(|i| i as f64).or_else(|| n.as_f64())?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if !number.is_finite() || number < 0.0 {
        return None;
    }
    // Saturate absurd values instead of overflowing.
    Some(if number >= i64::MAX as f64 { i64::MAX } else { number as i64 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<AccessToken, Error> {
        parse_token(body.as_bytes(), 1_000, "the broker")
    }

    #[test]
    fn expires_in_default_number_and_string() {
        assert_eq!(parse(r#"{"access_token":"t"}"#).unwrap().expires_on(), 1_000 + 3600);
        assert_eq!(parse(r#"{"access_token":"t","expires_in":60}"#).unwrap().expires_on(), 1_060);
        assert_eq!(parse(r#"{"access_token":"t","expires_in":"60"}"#).unwrap().expires_on(), 1_060);
        assert_eq!(parse(r#"{"access_token":"t","expires_in":60.9}"#).unwrap().expires_on(), 1_060);
        assert_eq!(parse(r#"{"access_token":"t","expires_in":null}"#).unwrap().expires_on(), 4_600);
        assert_eq!(parse(r#"{"access_token":"t","expires_in":1e300}"#).unwrap().expires_on(), i64::MAX);
    }

    #[test]
    fn refresh_hints() {
        let token = parse(r#"{"access_token":"t","expires_in":3600,"refresh_in":600}"#).unwrap();
        assert_eq!(token.refresh_on(), 1_600);
        let token = parse(r#"{"access_token":"t","expires_in":3600,"refresh_on":"2000"}"#).unwrap();
        assert_eq!(token.refresh_on(), 2_000);
        assert_eq!(parse(r#"{"access_token":"t"}"#).unwrap().refresh_on(), 4_300);
    }

    #[test]
    fn malformed_answers_are_broker_response_errors() {
        for body in [
            "", "not json", "[]", "\"x\"", "{}", r#"{"access_token":""}"#, r#"{"access_token":null}"#,
            r#"{"access_token":7}"#, r#"{"access_token":"a b"}"#, r#"{"access_token":"t","expires_in":"soon"}"#,
            r#"{"access_token":"t","expires_in":-5}"#, r#"{"access_token":"t","expires_in":true}"#,
            r#"{"access_token":"t","refresh_in":"x"}"#,
        ] {
            let err = parse(body).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BrokerResponse, "{body}");
        }
    }

    #[test]
    fn token_is_not_in_messages() {
        let err = parse(r#"{"access_token":"SECRET\n"}"#).unwrap_err();
        assert!(!err.message().contains("SECRET"));
    }
}
