//! The broker's (and helper's) token answer: a JSON object with
//! `access_token`, and optionally `expires_in`, `refresh_in`, `refresh_on`.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
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
    let answer: Answer = match serde_json::from_slice(body) {
        Ok(answer) => answer,
        // Every field takes any JSON value, so a type error is the top level's.
        Err(e) if e.is_data() && serde_json::from_slice::<Skip>(body).is_ok() => {
            return Err(bad("JSON that is not an object"))
        }
        Err(_) => return Err(bad("a body that is not JSON")),
    };
    let secret = match answer.access_token {
        Field::Absent => return Err(bad("no 'access_token' field")),
        Field::Invalid => return Err(bad("an 'access_token' that is not a string")),
        Field::Given(token) => token.0,
    };
    if secret.is_empty() {
        return Err(bad("an empty 'access_token'"));
    }
    // It will travel in an Authorization header. Every byte is looked at
    // (no early exit), which lets the check run many bytes at a time.
    if !secret.bytes().fold(true, |printable, b| printable & b.is_ascii_graphic()) {
        return Err(bad("an 'access_token' holding whitespace, control or non-ASCII characters"));
    }
    let expires_in = match answer.expires_in {
        Field::Absent => DEFAULT_EXPIRES_IN,
        Field::Given(Seconds(s)) => s,
        Field::Invalid => return Err(bad("an 'expires_in' that is not a non-negative number of seconds")),
    };
    let expires_on = now.saturating_add(expires_in);
    let hint = match (answer.refresh_on, answer.refresh_in) {
        (Field::Given(Seconds(on)), _) => Some(on),
        (Field::Invalid, _) => return Err(bad("a 'refresh_on' that is not a Unix time")),
        (Field::Absent, Field::Given(Seconds(within))) => Some(now.saturating_add(within)),
        (Field::Absent, Field::Invalid) => {
            return Err(bad("a 'refresh_in' that is not a non-negative number of seconds"))
        }
        (Field::Absent, Field::Absent) => None,
    };
    let refresh_on = refresh::refresh_on(now, expires_on, hint);
    Ok(AccessToken::new(secret, expires_on, refresh_on))
}

/// The answer's fields, read straight from the bytes (no tree of values).
/// Unknown fields are skipped; of a repeated field the last counts.
#[derive(Default)]
struct Answer {
    access_token: Field<Secret>,
    expires_in: Field<Seconds>,
    refresh_in: Field<Seconds>,
    refresh_on: Field<Seconds>,
}

/// One field as sent: missing or `null`, of the wrong type, or usable.
/// Any JSON value is accepted here, so that the error can name the field.
#[derive(Default)]
enum Field<T> {
    #[default]
    Absent,
    Invalid,
    Given(T),
}

/// The token, zeroed when dropped.
struct Secret(Zeroizing<String>);

/// A non-negative number of seconds: a JSON number or a numeric string
/// (the Python credential accepted both). Fractions are truncated.
struct Seconds(i64);

impl Seconds {
    fn of(number: f64) -> Option<Seconds> {
        if !number.is_finite() || number < 0.0 {
            return None;
        }
        // Saturate absurd values instead of overflowing.
        Some(Seconds(if number >= i64::MAX as f64 { i64::MAX } else { number as i64 }))
    }
}

impl<'de> Deserialize<'de> for Answer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(AnswerVisitor)
    }
}

struct AnswerVisitor;

impl<'de> Visitor<'de> for AnswerVisitor {
    type Value = Answer;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Answer, A::Error> {
        let mut answer = Answer::default();
        while let Some(name) = map.next_key::<Name>()? {
            match name {
                Name::AccessToken => answer.access_token = map.next_value()?,
                Name::ExpiresIn => answer.expires_in = map.next_value()?,
                Name::RefreshIn => answer.refresh_in = map.next_value()?,
                Name::RefreshOn => answer.refresh_on = map.next_value()?,
                Name::Other => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        Ok(answer)
    }
}

/// A field name, compared as unescaped text.
enum Name {
    AccessToken,
    ExpiresIn,
    RefreshIn,
    RefreshOn,
    Other,
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl Visitor<'_> for NameVisitor {
            type Value = Name;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Name, E> {
                Ok(match name {
                    "access_token" => Name::AccessToken,
                    "expires_in" => Name::ExpiresIn,
                    "refresh_in" => Name::RefreshIn,
                    "refresh_on" => Name::RefreshOn,
                    _ => Name::Other,
                })
            }
        }
        deserializer.deserialize_identifier(NameVisitor)
    }
}

/// What a field's value may be: a string, a number, `null`, or else.
trait FromJson: Sized {
    fn from_str(text: &str) -> Option<Self>;
    fn from_string(text: String) -> Option<Self> {
        Self::from_str(&text)
    }
    fn from_f64(_: f64) -> Option<Self> {
        None
    }
    fn from_u64(_: u64) -> Option<Self> {
        None
    }
    fn from_i64(_: i64) -> Option<Self> {
        None
    }
}

impl FromJson for Secret {
    fn from_str(text: &str) -> Option<Self> {
        Some(Secret(Zeroizing::new(text.to_owned())))
    }
    fn from_string(text: String) -> Option<Self> {
        Some(Secret(Zeroizing::new(text)))
    }
}

impl FromJson for Seconds {
    fn from_str(text: &str) -> Option<Self> {
        Seconds::of(text.trim().parse::<f64>().ok()?)
    }
    fn from_f64(number: f64) -> Option<Self> {
        Seconds::of(number)
    }
    fn from_u64(number: u64) -> Option<Self> {
        Some(Seconds(i64::try_from(number).unwrap_or(i64::MAX)))
    }
    fn from_i64(number: i64) -> Option<Self> {
        (number >= 0).then_some(Seconds(number))
    }
}

impl<'de, T: FromJson> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FieldVisitor(std::marker::PhantomData))
    }
}

struct FieldVisitor<T>(std::marker::PhantomData<T>);

fn given<T>(value: Option<T>) -> Field<T> {
    value.map_or(Field::Invalid, Field::Given)
}

impl<'de, T: FromJson> Visitor<'de> for FieldVisitor<T> {
    type Value = Field<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Field<T>, E> {
        Ok(Field::Absent)
    }
    fn visit_none<E: de::Error>(self) -> Result<Field<T>, E> {
        Ok(Field::Absent)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Field<T>, E> {
        Ok(Field::Invalid)
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Field<T>, E> {
        Ok(given(T::from_i64(n)))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Field<T>, E> {
        Ok(given(T::from_u64(n)))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Field<T>, E> {
        Ok(given(T::from_f64(n)))
    }
    fn visit_str<E: de::Error>(self, text: &str) -> Result<Field<T>, E> {
        Ok(given(T::from_str(text)))
    }
    fn visit_string<E: de::Error>(self, text: String) -> Result<Field<T>, E> {
        Ok(given(T::from_string(text)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Field<T>, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Field::Invalid)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Field<T>, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Field::Invalid)
    }
}

/// Any JSON value, checked and dropped. Unlike serde's `IgnoredAny` it reads
/// strings in full, so invalid UTF-8 or a lone surrogate anywhere in the
/// body is still "not JSON".
struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FieldVisitor::<Skip>(std::marker::PhantomData)).map(|_| Skip)
    }
}

impl FromJson for Skip {
    fn from_str(_: &str) -> Option<Self> {
        Some(Skip)
    }
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
            r#"{"access_token":"t","refresh_in":"x"}"#, r#"{"access_token":"t","refresh_on":[1]}"#,
            r#"{"access_token":"t","x":"\ud800"}"#, r#"{"access_token":"t"} x"#, "[1,2",
        ] {
            let err = parse(body).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BrokerResponse, "{body}");
        }
    }

    #[test]
    fn each_fault_is_named() {
        let message = |body: &[u8]| parse_token(body, 1_000, "the broker").unwrap_err().message().to_string();
        for (body, what) in [
            (&b"not json"[..], "a body that is not JSON"),
            (b"{\"access_token\":\"t\",\"x\":\"\xff\"}", "a body that is not JSON"),
            (b"[1, 2]", "JSON that is not an object"),
            (b"\"x\"", "JSON that is not an object"),
            (b"{\"access_token\":null}", "no 'access_token' field"),
            (b"{\"access_token\":{\"a\":[1]}}", "an 'access_token' that is not a string"),
            (b"{\"access_token\":\"\"}", "an empty 'access_token'"),
            (b"{\"access_token\":\"t\",\"expires_in\":-1}", "an 'expires_in' that is not"),
            (b"{\"access_token\":\"t\",\"refresh_on\":true,\"refresh_in\":5}", "a 'refresh_on' that is not a Unix time"),
            (b"{\"access_token\":\"t\",\"refresh_on\":null,\"refresh_in\":\"x\"}", "a 'refresh_in' that is not"),
        ] {
            let got = message(body);
            assert!(got.starts_with(&format!("the broker answered with {what}")), "{body:?}: {got}");
        }
    }

    #[test]
    fn escaped_names_repeated_fields_and_unknown_fields() {
        // Names compare unescaped; of a repeated field the last counts.
        let token = parse(r#"{"access\u005ftoken":"t","expires_in":5,"expires_in":"60","other":{"deep":[1,{"x":null}]}}"#);
        assert_eq!(token.unwrap().expires_on(), 1_060);
        assert_eq!(parse(r#"{"access_token":"t\u0041"}"#).unwrap().secret(), "tA");
        assert_eq!(parse(r#"{"access_token":"t","expires_in":18446744073709551615}"#).unwrap().expires_on(), i64::MAX);
    }

    #[test]
    fn token_is_not_in_messages() {
        let err = parse(r#"{"access_token":"SECRET\n"}"#).unwrap_err();
        assert!(!err.message().contains("SECRET"));
    }
}
