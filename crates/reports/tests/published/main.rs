//! Published reports stay provable while the scorecard keeps changing: random histories of
//! values, revisions, targets, assessments and notes, with period locks, reopenings and
//! publications, run through the write path the way the CLI drives it.
//!
//! Tests on the SQLite pair are hermetic; the NATS + PostgreSQL cases need nats-server and
//! PostgreSQL (see scripts/services.sh) and run by default.

mod history;
mod locks;
mod properties;
mod replay;
mod write_path;
