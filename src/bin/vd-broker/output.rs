//! What the command prints: a token alone (for `$(...)`), a token as JSON in
//! the shape of `az account get-access-token --output json`, and the
//! resource → audience map.

use std::io::{self, Write};

use serde_json::{json, Value};
use vd_broker::audience::AudienceMap;
use vd_broker::AccessToken;
use zeroize::Zeroizing;

/// The token and a newline, nothing else.
pub fn write_token(out: &mut impl Write, token: &AccessToken) -> io::Result<()> {
    out.write_all(token.secret().as_bytes())?;
    out.write_all(b"\n")
}

/// The token as az prints it: `accessToken`, `expiresOn` (local time,
/// "YYYY-MM-DD HH:MM:SS.ffffff") and `expires_on` (Unix seconds), plus what
/// the broker adds: when to refresh, the audience and the resource.
pub fn write_token_json(out: &mut impl Write, token: &AccessToken, audience: &str, resource: &str) -> io::Result<()> {
    // The secret is spliced in last so that no serde_json value (which is
    // not zeroed on drop) ever holds it.
    let fields = json!({
        "expiresOn": az_local_time(token.expires_on()),
        "expires_on": token.expires_on(),
        "refreshOn": az_local_time(token.refresh_on()),
        "refresh_on": token.refresh_on(),
        "audience": audience,
        "resource": resource,
        "tokenType": "Bearer",
    });
    let rest = serde_json::to_string_pretty(&fields).map_err(io::Error::other)?;
    let body = rest.strip_prefix('{').expect("a JSON object");
    let secret = Zeroizing::new(serde_json::to_string(token.secret()).map_err(io::Error::other)?);
    let text = Zeroizing::new(format!("{{\n  \"accessToken\": {},{body}\n", secret.as_str()));
    out.write_all(text.as_bytes())
}

/// One `RESOURCE  AUDIENCE` line per resource, sorted, columns aligned.
pub fn write_audiences(out: &mut impl Write, map: &AudienceMap) -> io::Result<()> {
    let width = map.resources().map(str::len).max().unwrap_or(0).max("RESOURCE".len());
    writeln!(out, "{:width$}  AUDIENCE", "RESOURCE")?;
    for (resource, audience) in map.iter() {
        writeln!(out, "{resource:width$}  {audience}")?;
    }
    Ok(())
}

pub fn write_audiences_json(out: &mut impl Write, map: &AudienceMap) -> io::Result<()> {
    let object: serde_json::Map<String, Value> =
        map.iter().map(|(resource, audience)| (resource.to_string(), Value::from(audience))).collect();
    let text = serde_json::to_string_pretty(&Value::Object(object)).map_err(io::Error::other)?;
    writeln!(out, "{text}")
}

/// Unix seconds as az's `expiresOn`: local time, microseconds always zero.
fn az_local_time(unix_seconds: i64) -> String {
    let seconds = unix_seconds as libc::time_t;
    // SAFETY: an all-zero `tm` is a valid value; localtime_r only writes into it.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the call; localtime_r is the
    // thread-safe variant and reads the TZ setting itself.
    if unsafe { libc::localtime_r(&seconds, &mut tm) }.is_null() {
        return unix_seconds.to_string();
    }
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.000000",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

#[cfg(test)]
mod tests {
    use super::az_local_time;

    #[test]
    fn az_time_shape() {
        let text = az_local_time(1_700_000_000);
        assert_eq!(text.len(), "2023-11-14 22:13:20.000000".len(), "{text}");
        assert!(text.ends_with(".000000") && text.as_bytes()[10] == b' ', "{text}");
    }
}
