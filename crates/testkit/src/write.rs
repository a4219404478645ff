//! How tests below the service write their fixtures: a command decided against its stream
//! and appended, at most once per idempotency key. The product's one write path is
//! `scoreledger_service::submit`, which also reads the plan's locks and publications from the
//! log; these tests pass that context in the request themselves, and the crates they test
//! (the store, the projections, the reports) sit beneath the service.

use scoreledger_domain::{Command, StreamId};
use scoreledger_store::{prepare, Appended, EventStore, ExecuteError, Request};

/// Decides `command` against `stream` as loaded now and appends the result; a request whose
/// idempotency key was appended before gets the original commit back, undecided.
pub async fn run_command(
    store: &dyn EventStore,
    stream: &StreamId,
    command: &Command,
    request: &Request,
) -> Result<Appended, ExecuteError> {
    if let Some(commit_id) = request.commit_id {
        if let Some(commit) = store.find_commit(stream, commit_id).await? {
            return Ok(Appended {
                commit,
                deduplicated: true,
            });
        }
    }
    let commit = prepare(store, stream, std::slice::from_ref(command), request).await?;
    Ok(store.append(commit).await?)
}
