//! Commits that cannot be read, and their setting aside.
//!
//! The log is append-only, so a commit that cannot be read (a bug, a damaged disk) stays in
//! it for ever. Projections halt there rather than skip it silently; an admin may set it
//! aside with a reason (`CommitSetAside`, on a stream derived from its position), and from
//! then on projections pass over it and say so.

use scoreledger_domain::{Position, SetAsideId, UnreadableCommit};

use crate::envelope::Commit;
use crate::error::ReadError;
use crate::{derived_id, EventStore};

/// The id of the setting aside of the commit at `position`: derived, so a commit is set aside
/// at most once and a retried request appends nothing new.
pub fn set_aside_id(position: Position) -> SetAsideId {
    SetAsideId(derived_id(&["set-aside", &position.0.to_string()]))
}

/// Why the commit at `position` cannot be read, or `None` when it reads (or does not exist).
pub async fn unreadable_at(
    store: &dyn EventStore,
    position: Position,
) -> Result<Option<UnreadableCommit>, ReadError> {
    if position.0 == 0 {
        return Ok(None);
    }
    match store.read_all(Position(position.0 - 1), 1).await {
        Err(ReadError::Corrupt {
            position: at,
            problem,
        }) if at == position => Ok(Some(UnreadableCommit { position, problem })),
        Err(err) => Err(err),
        Ok(commits) => Ok(commits
            .iter()
            .find(|commit| commit.position == position)
            .and_then(unreadable_events)),
    }
}

/// Why the events of a commit whose envelope reads cannot be read, if they cannot.
pub fn unreadable_events(commit: &Commit) -> Option<UnreadableCommit> {
    commit.domain_events().err().map(|err| UnreadableCommit {
        position: commit.position,
        problem: err.to_string(),
    })
}

/// The commit that set aside the commit at `position`, if an admin has.
pub async fn set_aside_of(
    store: &dyn EventStore,
    position: Position,
) -> Result<Option<Commit>, ReadError> {
    let stream = set_aside_id(position).stream();
    Ok(store.read_stream(&stream).await?.into_iter().next())
}
