//! The queries both front ends ask, in one place: the CLI and the HTTP service resolve "as at"
//! the same way, find a published report the same way, and answer "what has been restated
//! since" the same way. Queries read the read models; `submit` is the one write path, judging commands in
//! `decide` and appending them as one commit.

pub mod access;
pub mod as_at;
pub mod chase;
pub mod checkpoints;
pub mod error;
pub mod keys;
pub mod log_check;
pub mod measure;
pub mod proofs;
pub mod published;
pub mod restated;
pub mod submit;
pub mod values;
pub mod verification;

pub use access::{record_access, Unrecorded};
pub use as_at::{resolve, AsAt};
pub use chase::{chase_list, ChaseError, ChaseItem, ChaseList};
pub use error::QueryError;
pub use log_check::{check_log, check_log_with, LogCheck, LogCheckOptions, LogFinding, Since};
pub use measure::measure_at;
pub use published::{find_publication, publication, published_report, report_at};
pub use restated::{restated, Restated};
pub use submit::{
    prepare_batch, submit, submit_batch, Batch, Prepared, PreparedBatch, Refusal, Refusals,
    StreamChange, Submission, SubmitError,
};
pub use values::{CellChange, Outcome, Preview, ValuesError, ValuesImport};
pub use verification::{verify_publication, Verification};
