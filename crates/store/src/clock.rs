//! Transaction time comes from a clock the store owns; tests and the demo inject their own.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Where `recorded_at` comes from.
pub trait Clock: Send + Sync {
    /// The current transaction time.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        #[expect(
            clippy::disallowed_methods,
            reason = "the one place that reads the wall clock"
        )]
        Utc::now()
    }
}

/// A clock that only moves when told to: for tests, and for the demo, which replays a
/// year of history on simulated dates.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
}

impl ManualClock {
    /// A clock showing `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(start),
        }
    }

    /// Sets the time.
    pub fn set(&self, to: DateTime<Utc>) {
        *self.now.lock().expect("clock lock is never poisoned") = to;
    }

    /// Moves the time forward.
    pub fn advance(&self, by: Duration) {
        *self.now.lock().expect("clock lock is never poisoned") += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().expect("clock lock is never poisoned")
    }
}
