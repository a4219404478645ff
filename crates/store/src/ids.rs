//! The one place ids are minted from the clock: UUID v7, so they sort by creation time.

use uuid::Uuid;

/// A fresh, time-ordered id (commits, events, publications, tokens, accesses).
pub fn new_id() -> Uuid {
    #[expect(
        clippy::disallowed_methods,
        reason = "the one place that mints time-ordered random ids"
    )]
    Uuid::now_v7()
}
