//! Timing loops: each measurement is the median of several rounds, after a
//! warm-up, interleaved with the floor it is compared to.

use std::time::{Duration, Instant};

pub const ROUNDS: usize = 5;

/// Median times per call of `floor` and `measured`. Within each round the
/// two alternate in batches of `batch` calls, so that drift on the machine
/// (or in the broker) falls on both alike.
pub fn against_floor(calls: u32, batch: u32, mut floor: impl FnMut(), mut measured: impl FnMut()) -> (Duration, Duration) {
    for _ in 0..(calls / 10).max(1) {
        floor();
        measured();
    }
    let timed = |f: &mut dyn FnMut()| {
        let started = Instant::now();
        for _ in 0..batch {
            f();
        }
        started.elapsed()
    };
    let batches = (calls / batch).max(1);
    let mut round = || {
        let (mut floor_time, mut measured_time) = (Duration::ZERO, Duration::ZERO);
        for _ in 0..batches {
            floor_time += timed(&mut floor);
            measured_time += timed(&mut measured);
        }
        (floor_time / (batches * batch), measured_time / (batches * batch))
    };
    let (mut floors, mut measures): (Vec<_>, Vec<_>) = (0..ROUNDS).map(|_| round()).unzip();
    floors.sort();
    measures.sort();
    (floors[ROUNDS / 2], measures[ROUNDS / 2])
}

/// A row of the results table.
pub struct Row {
    pub name: String,
    /// Time per call, when measured.
    pub per_call: Option<Duration>,
    pub calls: String,
    pub note: String,
}

impl Row {
    pub fn measured(name: &str, per_call: Duration, calls: impl ToString, note: impl Into<String>) -> Row {
        Row { name: name.into(), per_call: Some(per_call), calls: calls.to_string(), note: note.into() }
    }

    pub fn skipped(name: &str, why: impl Into<String>) -> Row {
        Row { name: name.into(), per_call: None, calls: "-".into(), note: why.into() }
    }
}

pub fn micros(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 10.0 { format!("{us:.2} µs") } else { format!("{us:.1} µs") }
}

/// Prints the rows as one Markdown table.
pub fn print_table(rows: &[Row]) {
    println!("| measurement | per call | calls | notes |");
    println!("|---|---:|---:|---|");
    for row in rows {
        let per_call = row.per_call.map(micros).unwrap_or_else(|| "—".into());
        println!("| {} | {} | {} | {} |", row.name, per_call, row.calls, row.note);
    }
}
