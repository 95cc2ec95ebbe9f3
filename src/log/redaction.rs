//! The one pass every log message goes through before a handler sees it.
//!
//! The core's messages are written to carry no secret; this is the second
//! line, for text the core quotes (a broker's error body, a URL a user
//! configured). It removes URL userinfo, intent bearers (`vd_iat_*`),
//! JWT-shaped tokens, the word after `Bearer`, and the value of a
//! `token`-named field; and it folds control characters (newlines, NUL) to
//! spaces, so a message is one line and a valid C string.

const HIDDEN: &str = "[redacted]";

/// `message` with every secret-shaped part replaced by `[redacted]`.
pub(crate) fn redact(message: &str) -> String {
    let text = without_userinfo(message);
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    let mut next = Next::Shown;
    while let Some(start) = rest.find(is_word_char) {
        let (gap, tail) = rest.split_at(start);
        let end = tail.find(|c: char| !is_word_char(c)).unwrap_or(tail.len());
        let (word, after) = tail.split_at(end);
        push_clean(&mut out, gap);
        match (secret_start(word), word.split_once('=')) {
            _ if next == Next::Hidden || (next == Next::HiddenUnlessProse && !is_prose(word)) => out.push_str(HIDDEN),
            (Some(start), _) => {
                out.push_str(&word[..start]);
                out.push_str(HIDDEN);
            }
            (None, Some((key, value))) if !value.is_empty() && is_secret_key(key) => {
                out.push_str(key);
                out.push('=');
                out.push_str(HIDDEN);
            }
            _ => out.push_str(word),
        }
        next = what_follows(word, after);
        rest = after;
    }
    push_clean(&mut out, rest);
    out
}

/// Characters of a bearer, a JWT, base64 and the like.
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '~' | '+' | '/' | '=')
}

/// Where a bearer (`vd_iat_…`, anywhere) or a JWT (`eyJ….…`, starting the
/// word or after a symbol: `x=eyJ…`) starts in `word`; it runs to the word's end.
fn secret_start(word: &str) -> Option<usize> {
    let starts_segment = |at: usize| at == 0 || !word.as_bytes()[at - 1].is_ascii_alphanumeric();
    let bearer = word.find("vd_iat_");
    let jwt = word.match_indices("eyJ").map(|(at, _)| at).find(|&at| starts_segment(at) && word[at..].contains('.'));
    bearer.into_iter().chain(jwt).min()
}

/// What the word after a word is.
#[derive(PartialEq, Eq)]
enum Next {
    Shown,
    /// The value of a `token`-named field: `token: x`, `"access_token": "x"`, `refresh_token="x"`.
    Hidden,
    /// After `Bearer `: a credential, unless it is prose ("the bearer file").
    HiddenUnlessProse,
}

fn what_follows(word: &str, after: &str) -> Next {
    if word.eq_ignore_ascii_case("bearer") && after.starts_with(' ') {
        return Next::HiddenUnlessProse;
    }
    let key = word.strip_suffix('=');
    let keyed = key.is_some() || after.trim_start_matches(['"', '\'']).trim_start().starts_with([':', '=']);
    if keyed && is_secret_key(key.unwrap_or(word)) {
        Next::Hidden
    } else {
        Next::Shown
    }
}

fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key == "token" || key.ends_with("_token") || key == "bearer" || key == "password" || key == "secret"
}

/// A lowercase word, as in our own "the bearer file": after "bearer" it is
/// prose, not a credential (which has digits, capitals or symbols).
fn is_prose(word: &str) -> bool {
    word.bytes().all(|b| b.is_ascii_lowercase())
}

/// Folds control characters to spaces.
fn push_clean(out: &mut String, text: &str) {
    out.extend(text.chars().map(|c| if c.is_control() { ' ' } else { c }));
}

/// `scheme://user:password@host` → `scheme://[redacted]@host`, everywhere in `text`.
fn without_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let authority_end = tail.find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace()).unwrap_or(tail.len());
        match tail[..authority_end].rfind('@') {
            Some(userinfo_end) => {
                out.push_str(HIDDEN);
                rest = &tail[userinfo_end..];
            }
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn plain_messages_pass_unchanged() {
        let message = "attempt 1 of 4 failed (the broker at http://127.0.0.1:8/api/token answered HTTP 503); retrying in 180 ms";
        assert_eq!(redact(message), message);
    }

    #[test]
    fn url_userinfo_is_removed() {
        assert_eq!(
            redact("broker at https://alice:s3cret@broker.example/api and http://bob@h/x"),
            "broker at https://[redacted]@broker.example/api and http://[redacted]@h/x"
        );
        assert_eq!(redact("see user@example.com"), "see user@example.com");
    }

    #[test]
    fn bearers_tokens_and_token_fields_are_removed() {
        let jwt = "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJ4In0.c2ln";
        let cases = [
            ("bearer vd_iat_0123abcd was refused", "bearer [redacted] was refused"),
            ("the bearer file is empty", "the bearer file is empty"),
            ("bearer Xk9_q2 sent", "bearer [redacted] sent"),
            ("Authorization: Bearer abc.def", "Authorization: Bearer [redacted]"),
            (&format!("got {jwt} back"), "got [redacted] back"),
            ("read /run/vd_iat_0123abcd and x=eyJa.b", "read /run/[redacted] and x=[redacted]"),
            (r#"{"access_token": "opaque123", "expires_in": 5}"#, r#"{"access_token": "[redacted]", "expires_in": 5}"#),
            ("token=xyz&refresh_token=abc", "token=[redacted]&refresh_token=[redacted]"),
        ];
        for (message, redacted) in cases {
            assert_eq!(redact(message), redacted, "{message}");
        }
    }

    #[test]
    fn control_characters_become_spaces() {
        assert_eq!(redact("one\ntwo\0three\r"), "one two three ");
    }

    #[test]
    fn arbitrary_text_around_a_secret_never_lets_it_through() {
        // Seeded: a failure reproduces.
        let mut rng = fastrand::Rng::with_seed(13);
        let alphabet: Vec<char> = "ab Z9_-./=:@\"'\n\0é€🦀".chars().collect();
        let noise = |rng: &mut fastrand::Rng| -> String {
            let n = rng.usize(..12);
            (0..n).map(|_| alphabet[rng.usize(..alphabet.len())]).collect()
        };
        for _ in 0..5000 {
            let secret = format!("vd_iat_{:016x}", rng.u64(..));
            let message = format!("{}{}{}", noise(&mut rng), secret, noise(&mut rng));
            let redacted = redact(&message);
            assert!(!redacted.contains(&secret[7..]), "{message:?} -> {redacted:?}");
            assert!(!redacted.chars().any(char::is_control), "{redacted:?}");
        }
    }
}
