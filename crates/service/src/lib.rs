//! The queries both front ends ask, in one place: the CLI and the HTTP service resolve "as at"
//! the same way, find a published report the same way, and answer "what has been restated
//! since" the same way. Everything here reads the read models; nothing writes.

pub mod as_at;
pub mod error;
pub mod published;
pub mod restated;

pub use as_at::{resolve, AsAt};
pub use error::QueryError;
pub use published::{find_publication, published_report, report_at};
pub use restated::{restated, Restated};
