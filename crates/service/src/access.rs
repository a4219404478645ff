//! Reads of the history are themselves history: who read what is appended to the log before
//! the answer is given, by every front end the same way.

use scoreledger_domain::{AccessId, Actor, Command};
use scoreledger_store::{Appended, EventStore};

use crate::submit::{submit, Submission, SubmitError};

/// A read refused because it could not be recorded.
#[derive(Debug, thiserror::Error)]
#[error("the read could not be recorded in the audit trail, so it is refused")]
pub struct Unrecorded(#[source] pub SubmitError);

/// Records that `actor` read `what` (an HTTP request such as `GET /api/history?measure=2.B1`,
/// or a command line), about `measure_ref` if it names one. A read that cannot be recorded
/// must not be answered, so the trail of who looked at what has no gaps.
pub async fn record_access(
    store: &dyn EventStore,
    actor: &Actor,
    what: String,
    measure_ref: Option<String>,
) -> Result<Appended, Unrecorded> {
    let access_id = AccessId(scoreledger_store::new_id());
    let command = Command::RecordAccess {
        access_id,
        what,
        measure_ref,
    };
    submit(
        store,
        Submission {
            actor,
            stream: &access_id.stream(),
            plan_id: None,
            commands: std::slice::from_ref(&command),
            reason: None,
            on_behalf_of: None,
            reported: None,
            commit_id: None,
            if_version: None,
        },
    )
    .await
    .map_err(Unrecorded)
}
