//! What the emulator answers: the broker's `POST …/token`, the runtime-access
//! helper's `POST /v1/credentials`, and the `/_emulator/*` control API.

use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::http_server::{Reply, Request, Response};
use crate::jwt;
use crate::state::{Action, Fault, State};

/// Which face of the emulator a request came in on.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Broker,
    Helper,
}

pub fn handle(state: &State, face: Face, request: &Request) -> Reply {
    let path = request.path.split('?').next().unwrap_or("");
    match face {
        Face::Broker if path.starts_with("/_emulator/") => Reply::Answer(control(state, request, path)),
        Face::Broker if path.ends_with("/token") => mint(state, face, request),
        Face::Helper if path == "/v1/credentials" => mint(state, face, request),
        Face::Broker => Reply::Answer(Response::json(404, &json!({ "error": "not_found", "error_description": "the broker serves POST <base>/token" }))),
        Face::Helper => Reply::Answer(refusal(404, "not_found", "the helper serves POST /v1/credentials")),
    }
}

/// A token request on either face, with the next queued fault applied.
fn mint(state: &State, face: Face, request: &Request) -> Reply {
    let epoch = state.log_epoch();
    let fault = state.next_fault();
    let settings = state.settings();
    let body: Option<Value> = serde_json::from_slice(&request.body).ok();
    let bearer = request.header("authorization").and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);

    let mut entry = json!({
        "face": if face == Face::Broker { "broker" } else { "helper" },
        "method": request.method,
        "path": request.path,
        "content_type": request.header("content-type"),
        "authorization": match (request.header("authorization"), bearer) {
            (None, _) => "none",
            (Some(_), Some(b)) if !b.is_empty() => "bearer",
            _ => "malformed",
        },
        "bearer_sha256": bearer.map(|b| hex(&Sha256::digest(b.as_bytes()))),
        "body": body.clone().unwrap_or_else(|| Value::String(String::from_utf8_lossy(&request.body).into_owned())),
        "audience": body.as_ref().and_then(|b| b.get("audience")).cloned(),
        "fault": fault.as_ref().map(|f| format!("{:?}", f.action).to_lowercase()),
    });

    let delay = settings.delay_ms + fault.as_ref().map_or(0, |f| f.delay_ms);
    if delay > 0 {
        thread::sleep(Duration::from_millis(delay));
    }

    let reply = match fault {
        Some(fault) => faulty(fault),
        None => Reply::Answer(match face {
            Face::Broker => broker_answer(state, request, bearer, body.as_ref()),
            Face::Helper => helper_answer(state, request, body.as_ref()),
        }),
    };
    entry["status"] = match &reply {
        Reply::Answer(response) => json!(response.status),
        Reply::Huge(_) => json!(200),
        _ => Value::Null,
    };
    state.record(epoch, entry);
    reply
}

fn faulty(fault: Fault) -> Reply {
    match fault.action {
        Action::Close => Reply::Close,
        Action::Reset => Reply::Reset,
        Action::Garbage => Reply::Garbage,
        Action::Huge => Reply::Huge(fault.huge_bytes),
        Action::Respond => {
            let body = fault
                .body
                .unwrap_or_else(|| json!({ "error": "emulated_fault", "error_description": format!("the emulator was told to answer {}", fault.status) }).to_string());
            let mut headers = fault.headers;
            if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
                headers.push(("Content-Type".into(), "application/json".into()));
            }
            Reply::Answer(Response { status: fault.status, headers, body: body.into_bytes() })
        }
    }
}

fn broker_answer(state: &State, request: &Request, bearer: Option<&str>, body: Option<&Value>) -> Response {
    let invalid = |why: &str| Response::json(400, &json!({ "error": "invalid_request", "error_description": why }));
    if request.method != "POST" {
        return Response::json(405, &json!({ "error": "method_not_allowed", "error_description": "use POST" }));
    }
    let settings = state.settings();
    let bearer = match bearer {
        Some(b) if !b.is_empty() => b,
        _ => return Response::json(401, &json!({ "error": "missing_bearer", "error_description": "send Authorization: Bearer <vd_iat_*>" })),
    };
    let accepted = match &settings.accepted_bearers {
        Some(list) => list.iter().any(|a| a == bearer),
        None => bearer.starts_with("vd_iat_"),
    };
    if !accepted {
        return Response::json(401, &json!({ "error": "invalid_token", "error_description": "the intent access token is expired, revoked or unknown" }));
    }
    if !request.header("content-type").is_some_and(|c| c.starts_with("application/json")) {
        return Response::json(415, &json!({ "error": "unsupported_media_type", "error_description": "send Content-Type: application/json" }));
    }
    let Some(Value::Object(body)) = body else { return invalid("the body must be a JSON object") };
    let Some(audience) = body.get("audience").and_then(Value::as_str).filter(|a| !a.is_empty()) else {
        return invalid("'audience' must be a non-empty string");
    };
    let context = ["lane", "configurationRevision", "scope"].iter().filter(|k| body.contains_key(**k)).count();
    let lane = body.get("lane").and_then(Value::as_str);
    if context > 0 {
        let lane_ok = matches!(lane, Some("user" | "service"));
        let revision_ok = body.get("configurationRevision").and_then(Value::as_i64).is_some_and(|r| r >= 0);
        let scope_ok = body.get("scope").and_then(Value::as_str) == Some(expected_scope(audience));
        if !(lane_ok && revision_ok && scope_ok) {
            return invalid("'lane' (user|service), 'configurationRevision' (integer ≥ 0) and 'scope' (matching the audience) go together");
        }
    }
    let digest = hex(&Sha256::digest(bearer.as_bytes()));
    token_answer(state, audience, Some(&digest[..16]), lane)
}

fn helper_answer(state: &State, request: &Request, body: Option<&Value>) -> Response {
    if request.method != "POST" {
        return refusal(405, "method_not_allowed", "use POST");
    }
    let Some(Value::Object(body)) = body else { return refusal(400, "invalid_request", "the body must be a JSON object") };
    let Some(audience) = body.get("audience").and_then(Value::as_str).filter(|a| !a.is_empty()) else {
        return refusal(400, "invalid_request", "'audience' must be a non-empty string");
    };
    if body.get("scope").and_then(Value::as_str) != Some(expected_scope(audience)) {
        return refusal(400, "invalid_request", "'scope' must be secret_store or data_platform, matching the audience");
    }
    token_answer(state, audience, None, None)
}

fn expected_scope(audience: &str) -> &'static str {
    if ["discovery", "validation", "key_vault_data_plane"].contains(&audience) { "secret_store" } else { "data_platform" }
}

fn token_answer(state: &State, audience: &str, bearer_digest: Option<&str>, lane: Option<&str>) -> Response {
    let settings = state.settings();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let token = jwt::mint(&jwt::Claims { audience, now, lifetime: settings.expires_in, bearer_digest, lane });
    let mut answer = json!({ "access_token": token, "token_type": "Bearer", "audience": audience });
    if !settings.omit_expires_in {
        answer["expires_in"] =
            if settings.expires_in_as_string { json!(settings.expires_in.to_string()) } else { json!(settings.expires_in) };
    }
    if let Some(refresh_in) = settings.refresh_in {
        answer["refresh_in"] = json!(refresh_in);
    }
    Response::json(200, &answer)
}

fn refusal(status: u16, code: &str, message: &str) -> Response {
    let mut response = Response::json(status, &json!({ "code": code, "message": message }));
    response.headers.push(("x-runtime-access-error".into(), code.into()));
    response
}

fn control(state: &State, request: &Request, path: &str) -> Response {
    let body = || -> Result<Map<String, Value>, Response> {
        if request.body.is_empty() {
            return Ok(Map::new());
        }
        match serde_json::from_slice(&request.body) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(Response::json(400, &json!({ "error": "send a JSON object" }))),
        }
    };
    let ok = |value: Value| Response::json(200, &value);
    match (request.method.as_str(), path) {
        ("GET", "/_emulator/health") => ok(json!({ "ok": true })),
        ("GET", "/_emulator/requests") => ok(state.requests()),
        ("DELETE", "/_emulator/requests") => {
            state.clear_requests();
            ok(json!({ "cleared": true }))
        }
        ("POST", "/_emulator/faults") => match body().map(|b| Fault::from_json(&b)) {
            Ok(Ok(fault)) => ok(json!({ "queued": state.queue_fault(fault) })),
            Ok(Err(why)) => Response::json(400, &json!({ "error": why })),
            Err(response) => response,
        },
        ("DELETE", "/_emulator/faults") => {
            state.clear_faults();
            ok(json!({ "cleared": true }))
        }
        ("GET", "/_emulator/settings") => ok(state.settings().to_json()),
        ("PUT" | "PATCH" | "POST", "/_emulator/settings") => match body().map(|b| state.patch_settings(&b)) {
            Ok(Ok(settings)) => ok(settings),
            Ok(Err(why)) => Response::json(400, &json!({ "error": why })),
            Err(response) => response,
        },
        ("POST", "/_emulator/reset") => {
            state.reset();
            ok(json!({ "reset": true }))
        }
        _ => Response::json(404, &json!({ "error": "unknown control route; see the README's emulator section" })),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
