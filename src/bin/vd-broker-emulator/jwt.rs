//! JWT-shaped tokens the emulator mints: unsigned, but with the claims Azure
//! services (and Azurite's "basic" OAuth check) read: `aud`, `iss`, `iat`,
//! `nbf`, `exp`, `tid`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::json;

/// The tenant the emulator's tokens claim to come from.
pub const TENANT: &str = "7a6f1b1e-5d3c-4c3b-9a7e-3f0e2d1c0b9a";

/// The Azure resource (`aud`) a broker audience stands for.
pub fn resource_of(audience: &str) -> String {
    match audience {
        "sql" => "https://database.windows.net/".into(),
        "storage" => "https://storage.azure.com".into(),
        "vault" | "key_vault_data_plane" => "https://vault.azure.net".into(),
        "fabric_api" => "https://api.fabric.microsoft.com".into(),
        "fabric_cli" => "https://analysis.windows.net/powerbi/api".into(),
        "arm" => "https://management.azure.com/".into(),
        other => format!("api://vd-broker-emulator/{other}"),
    }
}

pub struct Claims<'a> {
    pub audience: &'a str,
    pub now: i64,
    pub lifetime: i64,
    /// Which bearer minted it (a digest prefix), so tests can tell rotations apart.
    pub bearer_digest: Option<&'a str>,
    pub lane: Option<&'a str>,
}

pub fn mint(claims: &Claims<'_>) -> String {
    let header = json!({ "typ": "JWT", "alg": "RS256", "kid": "vd-broker-emulator" });
    let payload = json!({
        "aud": resource_of(claims.audience),
        "iss": format!("https://sts.windows.net/{TENANT}/"),
        "iat": claims.now,
        "nbf": claims.now - 60,
        "exp": claims.now + claims.lifetime,
        "tid": TENANT,
        "oid": "00000000-0000-4000-8000-00000000e0e0",
        "sub": "vd-broker-emulator",
        "appid": "00000000-0000-4000-8000-00000000a0a0",
        "vd_audience": claims.audience,
        "vd_lane": claims.lane,
        "vd_bearer": claims.bearer_digest,
        "jti": format!("{:016x}", fastrand::u64(..)),
    });
    let encode = |value: &serde_json::Value| URL_SAFE_NO_PAD.encode(value.to_string());
    format!("{}.{}.{}", encode(&header), encode(&payload), URL_SAFE_NO_PAD.encode("vd-broker-emulator-unsigned"))
}
