//! What the secrets sweep (`tests/suites/99-secrets-sweep.sh`) reads: every
//! message a test sees is appended to `$VD_TEST_MESSAGE_LOG` as
//! `SOURCE<TAB>TEXT`, every secret it made to `$VD_TEST_SECRET_LOG`, one a
//! line. Nothing is written when the variables are unset (a run of one test).

#![allow(dead_code)]

use std::io::Write;

/// Records `text`, a message that left the library, seen by `source`.
pub fn message(source: &str, text: &str) {
    append("VD_TEST_MESSAGE_LOG", &format!("{source}\t{}\n", text.replace(['\n', '\r'], " ")));
}

/// Records a secret (a bearer, a password) no message may show.
pub fn secret(text: &str) {
    append("VD_TEST_SECRET_LOG", &format!("{text}\n"));
}

fn append(variable: &str, line: &str) {
    let Some(path) = std::env::var_os(variable) else { return };
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).expect("the log opens");
    // One write per line: lines of concurrent tests do not interleave.
    file.write_all(line.as_bytes()).expect("the log takes the line");
}
