//! Which log the read models were built from, as far as they can tell: how far they have
//! projected, and the last commit that left a row in the history (its position, stream and
//! time). A restored log is checked against it, so read models are never kept beside a log
//! they do not describe (one shorter than them, or a different one).

use scoreledger_domain::Position;
use scoreledger_store::Commit;

use crate::read_models::ReadModels;

/// What the read models say of the log they were built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectedFrom {
    /// The position they have projected up to.
    pub checkpoint: Position,
    /// The last commit, up to the checkpoint, that left a history row.
    pub last_seen: Option<SeenCommit>,
}

/// A commit as the history recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenCommit {
    /// Its position.
    pub position: Position,
    /// Its stream.
    pub stream: String,
    /// Its transaction time, as the history stores it.
    pub recorded_at: String,
}

/// How read models stand against a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fit {
    /// They describe a prefix of the log (or nothing yet): projecting goes on from there.
    Prefix,
    /// They have projected more than the log holds.
    Ahead {
        /// Their checkpoint.
        checkpoint: Position,
        /// The log's head.
        head: Position,
    },
    /// The log's commit at a position they saw is another commit.
    Diverged {
        /// The position.
        position: Position,
    },
}

/// Reads what the read models say of their log.
pub async fn projected_from(read: &ReadModels) -> Result<ProjectedFrom, sqlx::Error> {
    let checkpoint = crate::projector::read_checkpoint(read).await?;
    let row: Option<(i64, String, String)> = sqlx::query_as(
        "SELECT position, stream, recorded_at FROM history WHERE position <= $1 \
         ORDER BY position DESC LIMIT 1",
    )
    .bind(checkpoint.0 as i64)
    .fetch_optional(read.pool())
    .await?;
    Ok(ProjectedFrom {
        checkpoint,
        last_seen: row.map(|(position, stream, recorded_at)| SeenCommit {
            position: Position(position as u64),
            stream,
            recorded_at,
        }),
    })
}

impl ProjectedFrom {
    /// How they stand against a log whose head is `head` and whose commit at
    /// `last_seen.position` is `seen` (`None` if the log has none there).
    pub fn fit(&self, head: Position, seen: Option<&Commit>) -> Fit {
        if self.checkpoint > head {
            return Fit::Ahead {
                checkpoint: self.checkpoint,
                head,
            };
        }
        match &self.last_seen {
            Some(last) => {
                let same = seen.is_some_and(|commit| {
                    commit.position == last.position
                        && commit.stream.as_str() == last.stream
                        && commit.recorded_at.to_rfc3339() == last.recorded_at
                });
                if same {
                    Fit::Prefix
                } else {
                    Fit::Diverged {
                        position: last.position,
                    }
                }
            }
            None => Fit::Prefix,
        }
    }
}
