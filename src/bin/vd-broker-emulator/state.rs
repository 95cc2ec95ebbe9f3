//! What the emulator remembers: its settings, the faults queued for the next
//! token requests, and the log of requests it saw.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use serde_json::{json, Map, Value};

/// How tokens are minted and who may ask.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Lifetime of minted tokens, in seconds.
    pub expires_in: i64,
    /// Send `expires_in` as a string ("3600"), as some brokers did.
    pub expires_in_as_string: bool,
    /// Leave `expires_in` out of the answer.
    pub omit_expires_in: bool,
    /// Send `refresh_in` (seconds).
    pub refresh_in: Option<i64>,
    /// Bearers accepted; `None` accepts any `vd_iat_*` bearer.
    pub accepted_bearers: Option<Vec<String>>,
    /// Delay before every token answer, in milliseconds.
    pub delay_ms: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            expires_in: 3600,
            expires_in_as_string: false,
            omit_expires_in: false,
            refresh_in: None,
            accepted_bearers: None,
            delay_ms: 0,
        }
    }
}

impl Settings {
    pub fn to_json(&self) -> Value {
        json!({
            "expires_in": self.expires_in,
            "expires_in_as_string": self.expires_in_as_string,
            "omit_expires_in": self.omit_expires_in,
            "refresh_in": self.refresh_in,
            "accepted_bearers": self.accepted_bearers.as_ref().map(|b| b.len()),
            "delay_ms": self.delay_ms,
        })
    }

    /// Applies the fields present in `patch`.
    pub fn patch(&mut self, patch: &Map<String, Value>) -> Result<(), String> {
        for (field, value) in patch {
            match field.as_str() {
                "expires_in" => self.expires_in = value.as_i64().ok_or("expires_in: integer")?,
                "expires_in_as_string" => self.expires_in_as_string = value.as_bool().ok_or("expires_in_as_string: bool")?,
                "omit_expires_in" => self.omit_expires_in = value.as_bool().ok_or("omit_expires_in: bool")?,
                "refresh_in" => self.refresh_in = if value.is_null() { None } else { Some(value.as_i64().ok_or("refresh_in: integer or null")?) },
                "delay_ms" => self.delay_ms = value.as_u64().ok_or("delay_ms: integer")?,
                "accepted_bearers" => {
                    self.accepted_bearers = match value {
                        Value::Null => None,
                        Value::Array(items) => Some(
                            items.iter().map(|b| b.as_str().map(str::to_string)).collect::<Option<Vec<_>>>().ok_or("accepted_bearers: strings")?,
                        ),
                        _ => return Err("accepted_bearers: array of strings or null".into()),
                    }
                }
                other => return Err(format!("unknown setting {other:?}")),
            }
        }
        Ok(())
    }
}

/// What to do instead of a normal answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Answer with `status`, `headers` and `body`.
    Respond,
    /// Read the request, then close without answering.
    Close,
    /// Read the request, then reset the connection (RST).
    Reset,
    /// Answer with bytes that are not HTTP, then close.
    Garbage,
    /// Answer 200 with a body of `huge_bytes` bytes (default 1 GiB), streamed.
    Huge,
}

/// A misbehaviour for the next `times` token requests.
#[derive(Clone, Debug)]
pub struct Fault {
    pub action: Action,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub delay_ms: u64,
    pub times: u64,
    pub huge_bytes: u64,
}

impl Fault {
    pub fn from_json(spec: &Map<String, Value>) -> Result<Fault, String> {
        let action = match spec.get("action").and_then(Value::as_str).unwrap_or("respond") {
            "respond" => Action::Respond,
            "close" => Action::Close,
            "reset" => Action::Reset,
            "garbage" => Action::Garbage,
            "huge" => Action::Huge,
            other => return Err(format!("unknown action {other:?}: respond, close, reset, garbage or huge")),
        };
        let number = |name: &str, default: u64| match spec.get(name) {
            None | Some(Value::Null) => Ok(default),
            Some(v) => v.as_u64().ok_or(format!("{name}: non-negative integer")),
        };
        let status = number("status", 500)?;
        if !(100..=999).contains(&status) {
            return Err("status: 100..999".into());
        }
        let headers = match spec.get("headers") {
            None | Some(Value::Null) => vec![],
            Some(Value::Object(map)) => map
                .iter()
                .map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())).ok_or(format!("headers.{k}: string")))
                .collect::<Result<_, _>>()?,
            Some(_) => return Err("headers: object of strings".into()),
        };
        let body = match spec.get("body") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text.clone()),
            Some(other) => Some(other.to_string()),
        };
        Ok(Fault {
            action,
            status: status as u16,
            headers,
            body,
            delay_ms: number("delay_ms", 0)?,
            times: number("times", 1)?.max(1),
            huge_bytes: number("huge_bytes", 1 << 30)?,
        })
    }
}

pub struct State {
    /// What `reset` returns to: the command line's settings.
    initial: Settings,
    settings: Mutex<Settings>,
    faults: Mutex<VecDeque<Fault>>,
    log: Mutex<Vec<Value>>,
    /// Bumped whenever the log is cleared: a request still being answered
    /// then (a slow answer a client gave up on) is not logged afterwards,
    /// where the next test would count it.
    log_epoch: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl State {
    pub fn new(initial: Settings) -> State {
        State {
            settings: Mutex::new(initial.clone()),
            initial,
            faults: Mutex::default(),
            log: Mutex::default(),
            log_epoch: AtomicU64::new(0),
        }
    }

    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    pub fn patch_settings(&self, patch: &Map<String, Value>) -> Result<Value, String> {
        let mut settings = lock(&self.settings);
        let mut updated = settings.clone();
        updated.patch(patch)?;
        *settings = updated;
        Ok(settings.to_json())
    }

    pub fn queue_fault(&self, fault: Fault) -> usize {
        let mut faults = lock(&self.faults);
        faults.push_back(fault);
        faults.len()
    }

    /// The fault for this token request, if one is queued.
    pub fn next_fault(&self) -> Option<Fault> {
        let mut faults = lock(&self.faults);
        let front = faults.front_mut()?;
        let fault = front.clone();
        front.times -= 1;
        if front.times == 0 {
            faults.pop_front();
        }
        Some(fault)
    }

    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    /// Which log a request arriving now belongs to (see `record`).
    pub fn log_epoch(&self) -> u64 {
        self.log_epoch.load(Ordering::SeqCst)
    }

    /// Logs a request that arrived in `epoch`, unless the log was cleared since.
    pub fn record(&self, epoch: u64, entry: Value) {
        let mut log = lock(&self.log);
        if self.log_epoch() != epoch {
            return;
        }
        let mut entry = entry;
        entry["seq"] = json!(log.len() + 1);
        log.push(entry);
    }

    pub fn requests(&self) -> Value {
        let log = lock(&self.log);
        json!({ "count": log.len(), "requests": *log })
    }

    pub fn clear_requests(&self) {
        let mut log = lock(&self.log);
        self.log_epoch.fetch_add(1, Ordering::SeqCst);
        log.clear();
    }

    pub fn reset(&self) {
        *lock(&self.settings) = self.initial.clone();
        self.clear_faults();
        self.clear_requests();
    }
}
