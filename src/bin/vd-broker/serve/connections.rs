//! The connection slots: at most `MAX_CONNECTIONS` served at once. When all
//! are taken, the connection idle the longest — one with no request being
//! answered: a new one yet to send its head, or a kept-alive one between
//! requests, for at least a moment — is closed to make room, so
//! connections that send nothing cannot keep a client out. Only when every connection has a request in
//! the works does a new one wait, in the listen queue, for a slot.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use super::security::MAX_CONNECTIONS;

/// How often a new connection that found no slot to take looks again.
const RECHECK: Duration = Duration::from_millis(50);
/// A connection accepted or answered this recently is not closed to make
/// room: its request (or its answer) may still be on its way.
const GRACE: Duration = Duration::from_millis(250);

pub struct Slots {
    free: Arc<Semaphore>,
    seats: Mutex<HashMap<u64, Seat>>,
    next_id: AtomicU64,
}

struct Seat {
    state: State,
    close: Arc<Notify>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// No request being answered since this instant.
    Idle(Instant),
    Busy,
    /// Told to close to make room.
    Closing,
}

/// A connection's slot, given back when dropped.
pub struct Slot {
    seat: SeatRef,
    close: Arc<Notify>,
    _permit: OwnedSemaphorePermit,
}

/// What a connection's requests use to say they are being answered.
#[derive(Clone)]
pub struct SeatRef {
    slots: Arc<Slots>,
    id: u64,
}

impl Slots {
    pub fn new() -> Arc<Slots> {
        Arc::new(Slots { free: Arc::new(Semaphore::new(MAX_CONNECTIONS)), seats: Mutex::default(), next_id: AtomicU64::new(0) })
    }

    /// A slot for a connection just accepted: a free one, else the one the
    /// longest-idle connection gives up (`on_evict` counts it), else — every
    /// connection being answered — the first to free up.
    pub async fn take(self: &Arc<Self>, on_evict: impl Fn()) -> Slot {
        loop {
            if let Ok(permit) = Arc::clone(&self.free).try_acquire_owned() {
                return self.seat(permit);
            }
            if self.close_longest_idle() {
                on_evict();
            }
            // The evicted connection gives its slot back as soon as its task
            // sees the notice; a busy one, when its request is answered.
            if let Ok(Ok(permit)) = tokio::time::timeout(RECHECK, Arc::clone(&self.free).acquire_owned()).await {
                return self.seat(permit);
            }
        }
    }

    fn seat(self: &Arc<Self>, permit: OwnedSemaphorePermit) -> Slot {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let close = Arc::new(Notify::new());
        self.lock().insert(id, Seat { state: State::Idle(Instant::now()), close: Arc::clone(&close) });
        Slot { seat: SeatRef { slots: Arc::clone(self), id }, close, _permit: permit }
    }

    /// Tells the connection idle the longest to close; false if none has
    /// been idle for [`GRACE`].
    fn close_longest_idle(&self) -> bool {
        let mut seats = self.lock();
        let now = Instant::now();
        let longest = seats
            .values_mut()
            .filter_map(|seat| match seat.state {
                State::Idle(since) if now.duration_since(since) >= GRACE => Some((since, seat)),
                _ => None,
            })
            .min_by_key(|(since, _)| *since);
        match longest {
            Some((_, seat)) => {
                seat.state = State::Closing;
                seat.close.notify_one();
                true
            }
            None => false,
        }
    }

    fn set(&self, id: u64, state: State) {
        if let Some(seat) = self.lock().get_mut(&id) {
            if seat.state != State::Closing {
                seat.state = state;
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Seat>> {
        // Nothing panics while holding it; the map stays consistent.
        self.seats.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Slot {
    pub fn seat(&self) -> SeatRef {
        self.seat.clone()
    }

    /// Resolves when the connection is to close to make room.
    pub async fn evicted(&self) {
        self.close.notified().await
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.seat.slots.lock().remove(&self.seat.id);
    }
}

impl SeatRef {
    /// Marks the connection busy until the guard is dropped (its answer is made).
    pub fn busy(&self) -> Busy {
        self.slots.set(self.id, State::Busy);
        Busy(self.clone())
    }
}

pub struct Busy(SeatRef);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.slots.set(self.0.id, State::Idle(Instant::now()));
    }
}
