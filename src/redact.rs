//! The one redaction every text leaving the library goes through: error
//! messages (and so the C `err_buf`, the thread's last error, every
//! binding's exceptions and logs) and the command's stderr.
//!
//! Matching a secret in the text as received is not enough: a broker that
//! echoes the bearer with a control character or an escape inside it would
//! slip past a search, and the control character be dropped for display
//! afterwards. So the text is normalized first — escapes (`\uXXXX`,
//! `\u{X}`, `\xXX`, `%XX`) decoded, control and invisible characters
//! dropped — and secrets are matched in what is shown:
//!
//! - any run of [`MIN_RUN`] or more consecutive characters of the bearer
//!   (or of a proxy password from the environment), whitespace inside the
//!   run ignored;
//! - tokens: JWT-shaped (`eyJ…`), `vd_iat_…` bearers, the credential of an
//!   `Authorization`-style `Bearer`/`Basic` value, and values of secret
//!   fields (`access_token=…`, `"password": "…"`, …);
//! - URL userinfo: a URL is always shown without it.

use std::ops::Range;

/// What a secret is replaced with.
pub(crate) const MASK: &str = "<redacted>";

/// The shortest run of a known secret's characters that is masked.
pub(crate) const MIN_RUN: usize = 8;

/// `text` fit to leave the library: normalized, with every secret masked.
/// `bearer` is the intent bearer of the call, when it is known.
pub fn redact(text: &str, bearer: Option<&str>) -> String {
    // Userinfo first as received, too: decoding can put a space into a
    // password that would end the URL early.
    let text = normalize(&strip_userinfo(text));
    let mut secrets: Vec<String> = proxy_passwords();
    secrets.extend(bearer.map(str::to_string));
    let text = mask_runs(&text, &secrets);
    mask_tokens(&strip_userinfo(&text))
}

/// `url` without its userinfo, for a URL shown on its own (even one that
/// does not parse): everything between `://` and the last `@` before the
/// query goes.
pub(crate) fn url_without_userinfo(url: &str) -> String {
    match url.find("://") {
        Some(at) => {
            let start = at + 3;
            let end = url[start..].find(['?', '#']).map_or(url.len(), |i| start + i);
            match url[start..end].rfind('@') {
                Some(i) => format!("{}{}", &url[..start], &url[start + i + 1..]),
                None => url.to_string(),
            }
        }
        None => url.to_string(),
    }
}

/// Every URL in `text` without its userinfo. A URL runs to the next
/// whitespace (a quote may be part of a password).
fn strip_userinfo(text: &str) -> String {
    if !text.contains("://") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let end = rest[at..].find(char::is_whitespace).map_or(rest.len(), |i| at + i);
        out.push_str(&url_without_userinfo(&rest[..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Decodes escapes (repeatedly, for escapes of escapes) and drops control
/// and invisible characters; line breaks and tabs become spaces.
fn normalize(text: &str) -> String {
    let mut text = text.to_string();
    for _ in 0..3 {
        let decoded = decode_escapes(&text);
        if decoded == text {
            break;
        }
        text = decoded;
    }
    text.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' | '\u{0b}' | '\u{0c}' => Some(' '),
            c if c.is_control() || is_invisible(c) => None,
            c => Some(c),
        })
        .collect()
}

/// Format characters that show as nothing (zero-width, direction marks,
/// soft hyphen, byte-order mark): they could split a secret unseen.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// One pass of `\uXXXX` (with surrogate pairs), `\u{X…}`, `\xXX` and `%XX`.
fn decode_escapes(text: &str) -> String {
    if !text.contains(['\\', '%']) {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let (decoded, used) = match bytes[i] {
            b'%' => (hex(bytes, i + 1, 2).map(|b| vec![b as u8]), 3),
            b'\\' if bytes.get(i + 1) == Some(&b'x') => (hex(bytes, i + 2, 2).map(|b| vec![b as u8]), 4),
            b'\\' if bytes.get(i + 1) == Some(&b'u') => decode_unicode(bytes, i),
            _ => (None, 1),
        };
        match decoded {
            Some(decoded) => {
                out.extend_from_slice(&decoded);
                i += used;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `\u{X…}` or `\uXXXX` (a high surrogate with its low one) at `i`: the
/// character's UTF-8 and the bytes used.
fn decode_unicode(bytes: &[u8], i: usize) -> (Option<Vec<u8>>, usize) {
    let utf8 = |c: char| c.encode_utf8(&mut [0; 4]).as_bytes().to_vec();
    if bytes.get(i + 2) == Some(&b'{') {
        let Some(close) = bytes[i + 3..].iter().take(7).position(|b| *b == b'}') else {
            return (None, 1);
        };
        let code = hex(bytes, i + 3, close).and_then(char::from_u32);
        return (code.map(utf8), close + 4);
    }
    let Some(unit) = hex(bytes, i + 2, 4) else {
        return (None, 1);
    };
    if (0xd800..0xdc00).contains(&unit) && bytes.get(i + 6) == Some(&b'\\') && bytes.get(i + 7) == Some(&b'u') {
        if let Some(low @ 0xdc00..=0xdfff) = hex(bytes, i + 8, 4) {
            let code = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
            return (char::from_u32(code).map(utf8), 12);
        }
    }
    (Some(utf8(char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER))), 6)
}

/// The value of `count` hex digits at `at`, if they are all there.
fn hex(bytes: &[u8], at: usize, count: usize) -> Option<u32> {
    let digits = bytes.get(at..at + count).filter(|d| count > 0 && d.iter().all(u8::is_ascii_hexdigit))?;
    u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// The passwords of the proxies the environment names (ureq reads the same
/// variables), percent-decoded.
fn proxy_passwords() -> Vec<String> {
    ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .filter_map(|url| {
            let start = url.find("://")? + 3;
            let userinfo = &url[start..start + url[start..].rfind('@')?];
            let password = &userinfo[userinfo.find(':')? + 1..];
            Some(normalize(password))
        })
        .collect()
}

/// Masks every run of [`MIN_RUN`] or more characters of a secret (all of a
/// shorter secret) in `text`, whitespace inside the run ignored.
fn mask_runs(text: &str, secrets: &[String]) -> String {
    // The characters that count, and where each is in `text`.
    let skeleton: Vec<(usize, char)> = text.char_indices().filter(|(_, c)| !c.is_whitespace()).collect();
    let mut hidden: Vec<Range<usize>> = Vec::new();
    for secret in secrets {
        let secret: Vec<char> = secret.chars().filter(|c| !c.is_whitespace()).collect();
        let run = secret.len().min(MIN_RUN);
        // A secret of a few characters would mask ordinary words.
        if run < 4 || skeleton.len() < run {
            continue;
        }
        let windows: std::collections::HashSet<&[char]> = secret.windows(run).collect();
        let chars: Vec<char> = skeleton.iter().map(|(_, c)| *c).collect();
        for (i, window) in chars.windows(run).enumerate() {
            if windows.contains(window) {
                let (start, _) = skeleton[i];
                let (last, c) = skeleton[i + run - 1];
                hidden.push(start..last + c.len_utf8());
            }
        }
    }
    replace_ranges(text, hidden)
}

/// `text` with each of `ranges` (merged where they touch) replaced by [`MASK`].
fn replace_ranges(text: &str, mut ranges: Vec<Range<usize>>) -> String {
    if ranges.is_empty() {
        return text.to_string();
    }
    ranges.sort_by_key(|r| r.start);
    let mut out = String::with_capacity(text.len());
    let mut shown = 0;
    let mut iter = ranges.into_iter().peekable();
    while let Some(mut range) = iter.next() {
        while let Some(next) = iter.peek().filter(|next| next.start <= range.end) {
            range.end = range.end.max(next.end);
            iter.next();
        }
        if range.start >= shown {
            out.push_str(&text[shown..range.start]);
            out.push_str(MASK);
            shown = range.end;
        } else {
            shown = shown.max(range.end);
        }
    }
    out.push_str(&text[shown..]);
    out
}

/// Characters of a token: base64url, base64 and the bearer's alphabet.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '+' | '/' | '=')
}

/// Masks JWT-shaped tokens, `vd_iat_` bearers, `Bearer`/`Basic`
/// credentials and the values of secret fields.
fn mask_tokens(text: &str) -> String {
    let mut hidden = Vec::new();
    let token_end = |from: usize| text[from..].find(|c: char| !is_token_char(c)).map_or(text.len(), |i| from + i);
    for (at, _) in text.match_indices("eyJ") {
        let end = token_end(at);
        let token = &text[at..end];
        if token.len() >= 20 || token.contains('.') {
            hidden.push(at..end);
        }
    }
    for (at, _) in text.match_indices("vd_iat_") {
        let end = token_end(at + "vd_iat_".len());
        if end > at + "vd_iat_".len() {
            hidden.push(at..end);
        }
    }
    let lower = text.to_ascii_lowercase();
    for scheme in ["bearer ", "basic "] {
        for (at, _) in lower.match_indices(scheme) {
            let start = at + scheme.len();
            let start = start + text[start..].len() - text[start..].trim_start().len();
            let end = token_end(start);
            if end - start >= 16 {
                hidden.push(start..end);
            }
        }
    }
    for field in ["access_token", "refresh_token", "id_token", "client_secret", "password", "passwd", "secret", "api_key"] {
        for (at, _) in lower.match_indices(field) {
            if let Some(value) = field_value(text, at + field.len()) {
                hidden.push(value);
            }
        }
    }
    replace_ranges(text, hidden)
}

/// Where the value of a field whose name ends at `from` is: after an
/// optional quote, `:` or `=`, whitespace and an optional quote, up to the
/// next quote, whitespace or separator.
fn field_value(text: &str, from: usize) -> Option<Range<usize>> {
    let rest = &text[from..];
    let after_name = rest.strip_prefix(['"', '\'']).unwrap_or(rest);
    let after_sign = after_name.trim_start().strip_prefix([':', '='])?.trim_start();
    let value = after_sign.strip_prefix(['"', '\'']).unwrap_or(after_sign);
    let start = text.len() - value.len();
    let len = value.find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';' | '&' | '}')).unwrap_or(value.len());
    (len > 0).then(|| start..start + len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_log_messages_pass_unchanged() {
        let message = "attempt 1 of 4 failed (the broker at http://127.0.0.1:8/api/token answered HTTP 503); retrying in 180 ms";
        assert_eq!(redact(message, None), message);
        assert_eq!(redact("the bearer file is empty", None), "the bearer file is empty");
        assert_eq!(redact("see user@example.com", None), "see user@example.com");
    }

    #[test]
    fn secrets_in_log_messages_are_masked_without_the_bearer_known() {
        let jwt = "eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJ4In0.c2ln";
        let cases = [
            ("bearer vd_iat_0123abcd was refused", "0123abcd"),
            ("Authorization: Bearer abcdefgh.ijklmnop", "abcdefgh.ijklmnop"),
            (&format!("got {jwt} back"), "eyJhdWQiOiJ4In0"),
            ("read /run/vd_iat_0123abcd and more", "0123abcd"),
            (r#"{"access_token": "opaque123", "expires_in": 5}"#, "opaque123"),
            ("broker at https://alice:s3cret@broker.example/api", "s3cret"),
        ];
        for (message, secret) in cases {
            let shown = redact(message, None);
            assert!(!shown.contains(secret), "{message} -> {shown}");
        }
    }

    #[test]
    fn arbitrary_text_around_a_bearer_never_lets_it_through() {
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
            let shown = redact(&message, None);
            assert!(!shown.contains(&secret[7..]), "{message:?} -> {shown:?}");
            assert!(!shown.chars().any(char::is_control), "{shown:?}");
        }
    }

    const BEARER: &str = "vd_iat_0123456789abcdefSECRETtail";

    fn shown(text: &str) -> String {
        redact(text, Some(BEARER))
    }

    #[test]
    fn the_bearer_is_masked_however_it_is_dressed() {
        for echo in [
            "token vd_iat_0123456789abcdefSECRETtail is revoked".to_string(),
            "token vd_iat_0123456789\u{1}abcdefSECRETtail is revoked".to_string(),
            "token vd_iat_0123456789\\u0001abcdef\\u0053ECRETtail".to_string(),
            "token vd_iat_0123456789%00abcdef%2553ECRETtail".to_string(),
            "token vd_iat_0123\u{200b}456789abcdef SECRET tail".to_string(),
            // All but the last characters; and without the prefix.
            "token vd_iat_0123456789abcdefSECRETta".to_string(),
            "token 0123456789abcdefSECR was seen".to_string(),
        ] {
            let out = shown(&echo);
            assert!(out.contains(MASK), "{echo:?} → {out:?}");
            for window in BEARER.as_bytes().windows(MIN_RUN) {
                let window = std::str::from_utf8(window).unwrap();
                assert!(!out.replace(' ', "").contains(window), "{echo:?} → {out:?} shows {window}");
            }
        }
        assert_eq!(shown("token 0123456 is short"), "token 0123456 is short");
    }

    #[test]
    fn tokens_and_credentials_are_masked() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJzcWwifQ.c2lnbmF0dXJl";
        assert_eq!(redact(&format!("got {jwt} back"), None), format!("got {MASK} back"));
        assert_eq!(redact("bearer vd_iat_other_bearer_1234 here", None), format!("bearer {MASK} here"));
        assert_eq!(redact("Authorization: Basic dXNlcjpodW50ZXIyLXBhc3N3b3Jk", None), format!("Authorization: Basic {MASK}"));
        assert_eq!(redact(r#"{"access_token": "abc123", "password":"pw1"}"#, None), format!(r#"{{"access_token": "{MASK}", "password":"{MASK}"}}"#));
        assert_eq!(redact("the vd_iat_* bearer, no access_token in the answer", None), "the vd_iat_* bearer, no access_token in the answer");
    }

    #[test]
    fn urls_are_shown_without_userinfo() {
        assert_eq!(
            redact("could not reach http://user:hunter2pw@127.0.0.1:9/api/token (refused)", None),
            "could not reach http://127.0.0.1:9/api/token (refused)"
        );
        assert_eq!(redact("\"http://u:p\\\"w@h/x\" is not", None), "\"http://h/x\" is not");
        assert_eq!(redact("http://u:pa%20ss@h/x", None), "http://h/x");
        assert_eq!(url_without_userinfo("ftp://a:b@c@d/e?f=g@h"), "ftp://d/e?f=g@h");
        assert_eq!(url_without_userinfo("not a url"), "not a url");
    }

    #[test]
    fn text_without_secrets_reads_the_same() {
        let text = "could not read credential file /run/vd/credential (No such file or directory). \
                    Is the Studio intent session active?";
        assert_eq!(shown(text), text);
        assert_eq!(shown("line\none\ttab"), "line one tab");
        assert_eq!(redact(&redact("a%41 \\u0042 eyJzzzzzzzzzzzzzzzzzzzzz", None), None), redact("a%41 \\u0042 eyJzzzzzzzzzzzzzzzzzzzzz", None));
    }
}
