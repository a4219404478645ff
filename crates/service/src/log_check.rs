//! The whole log verified (`scoreledger_store::verify_log`), and the read models checked not to
//! be ahead of it: what `scoreledger verify` and `GET /api/verification` answer.

use serde::{Deserialize, Serialize};

use scoreledger_domain::Position;
use scoreledger_integrity::{open_checkpoint_any, KeyRing};
use scoreledger_projections::{self as projections, ReadModels};
use scoreledger_store::{
    verify_log_with, EventStore, Finding, LogVerification, LogVerifier, ReadError, Start, Witness,
};

use crate::checkpoints;

use crate::error::QueryError;

/// What verifying the log found. A log that fails is an answer, not an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LogCheck {
    /// Whether the log verified and the read models are not ahead of it.
    pub verified: bool,
    /// Commits checked (up to the first finding).
    pub commits: u64,
    /// Streams seen.
    pub streams: u64,
    /// The position of the last commit when the check started.
    pub head: u64,
    /// The position the read models have projected.
    pub read_models_at: u64,
    /// The first thing wrong, if anything is.
    pub finding: Option<LogFinding>,
    /// What was found, in words, and what to do.
    pub message: String,
    /// The Merkle tree head (RFC 6962) over the commits checked, hexadecimal.
    pub root: String,
    /// Where the log began signing its commits, if it signs.
    pub signed_from: Option<u64>,
    /// Signed checkpoints in the log, each matched against the commits it covers.
    pub checkpoints: u64,
    /// How many commits the latest of them covers.
    pub latest_checkpoint: Option<u64>,
    /// Checkpoints exported outside the log that the log was checked against.
    pub witnesses: u64,
    /// Positions of commits that cannot be read, passed over because an admin set them aside
    /// (each stands in the Merkle tree as the digest of its stored bytes).
    pub set_aside: Vec<u64>,
    /// The size of the signed checkpoint verification started after (`--since`), if it did not
    /// start at the first commit: the commits it covers were not read again.
    pub since: Option<u64>,
}

/// What to check the log against beyond itself.
#[derive(Debug, Default)]
pub struct LogCheckOptions {
    /// Refuse a log whose first key is not one of these (the key an auditor was given).
    pub trusted: Option<scoreledger_integrity::KeyRing>,
    /// Checkpoints exported from the log (a truncated or rewritten log is caught by them).
    pub witnesses: Vec<Witness>,
    /// Start after a signed checkpoint the log recorded, rather than at the first commit.
    pub since: Option<Since>,
    /// Check every commit's signature, including those a matching checkpoint vouches for.
    pub every_signature: bool,
}

/// A signed checkpoint to start verifying after: it vouches for the commits it covers, which
/// are not read again.
#[derive(Debug, Clone)]
pub enum Since {
    /// The checkpoint of this many commits recorded in the log.
    Size(u64),
    /// A checkpoint note held outside the log (exported, or a witness's copy): the log must
    /// have recorded the same checkpoint.
    Note(String),
}

/// The first thing wrong with the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LogFinding {
    /// `unreadable`, `missing`, `reordered`, `changed`, `broken_link`, `version_gap`,
    /// `forged`, `bad_signature`, `checkpoint_mismatch`, `truncated`, `untrusted_key`, or
    /// `read_models_ahead` (the log is shorter than the read models: restored from an older
    /// backup, or truncated).
    pub kind: String,
    /// The position it is about.
    pub position: u64,
    /// What is wrong there.
    pub message: String,
}

/// Verifies the whole log, telling `progress` the position reached and the head, and checks
/// that the read models are not ahead of it.
pub async fn check_log(
    store: &dyn EventStore,
    read: &ReadModels,
    progress: impl FnMut(Position, Position),
) -> Result<LogCheck, QueryError> {
    check_log_with(store, read, LogCheckOptions::default(), progress).await
}

/// Like [`check_log`], against trusted keys and exported checkpoints too.
pub async fn check_log_with(
    store: &dyn EventStore,
    read: &ReadModels,
    options: LogCheckOptions,
    progress: impl FnMut(Position, Position),
) -> Result<LogCheck, QueryError> {
    let witnesses = options.witnesses.len() as u64;
    let start = match &options.since {
        Some(since) => Some(start_at(store, since, options.trusted.as_ref()).await?),
        None => None,
    };
    let mut verifier = LogVerifier::new().with_witnesses(options.witnesses);
    if let Some(trusted) = options.trusted {
        verifier = verifier.trusting(trusted);
    }
    if options.every_signature {
        verifier = verifier.checking_every_signature();
    }
    let verification = match start {
        None => verify_log_with(store, verifier, progress).await,
        Some(Ok(start)) => verify_log_with(store, verifier.since(start), progress).await,
        Some(Err(finding)) => not_started(store, finding).await,
    }
    .map_err(read_error)?;
    let read_models_at = projections::checkpoint(read).await?;
    let finding = match &verification.finding {
        Some(finding) => Some(LogFinding {
            kind: finding.kind().to_owned(),
            position: finding.position().0,
            message: finding.to_string(),
        }),
        None if read_models_at > verification.head => Some(LogFinding {
            kind: "read_models_ahead".to_owned(),
            position: verification.head.0 + 1,
            message: format!(
                "the log is shorter than the read models (they have projected {read_models_at} commits, the log holds {}): was the log restored from an older backup, or truncated? Do not write to it; restore the newest backup, or rebuild the read models (scoreledger rebuild) once the log is known to be whole",
                verification.head
            ),
        }),
        None => None,
    };
    let message = match &finding {
        Some(finding) if finding.kind == "read_models_ahead" => finding.message.clone(),
        Some(finding) => format!("the log fails verification: {}", finding.message),
        None => format!(
            "the log verifies: {} commits in {} streams, positions {} to {} with no gap, every hash, link and version intact; {}; {}; the read models are at position {read_models_at}",
            verification.commits,
            verification.streams,
            verification.started_after.0 + 1,
            verification.head,
            match verification.signed_from {
                Some(from) => format!("every commit from position {from} signed by the log's key"),
                None => "the log has no signing key yet (`scoreledger keys generate` adds one)".into(),
            },
            match &verification.latest_checkpoint {
                Some(latest) => format!(
                    "{} signed checkpoints match the Merkle tree, the latest over {} commits{}",
                    verification.checkpoints,
                    latest.size,
                    if witnesses > 0 { format!(", and {witnesses} exported ones") } else { String::new() }
                ),
                None => "no signed checkpoint yet".into(),
            }
        ) + &set_aside_note(&verification.set_aside)
            + &match verification.started_after.0 {
                0 => String::new(),
                size => format!("; positions 1 to {size} were not read again: the signed checkpoint of {size} commits vouches for them"),
            },
    };
    Ok(LogCheck {
        verified: finding.is_none(),
        commits: verification.commits,
        streams: verification.streams as u64,
        head: verification.head.0,
        read_models_at: read_models_at.0,
        finding,
        message,
        root: verification.root.clone(),
        signed_from: verification.signed_from.map(|p| p.0),
        checkpoints: verification.checkpoints,
        latest_checkpoint: verification.latest_checkpoint.as_ref().map(|c| c.size),
        witnesses,
        set_aside: verification.set_aside.iter().map(|p| p.0).collect(),
        since: (verification.started_after.0 > 0).then_some(verification.started_after.0),
    })
}

fn read_error(err: ReadError) -> QueryError {
    QueryError::Replay(projections::ProjectionError::Read(err))
}

/// Where verification starts for `since`: the checkpoint the log recorded, or the finding
/// that the log did not record the one held outside it.
async fn start_at(
    store: &dyn EventStore,
    since: &Since,
    trusted: Option<&KeyRing>,
) -> Result<Result<Start, Finding>, QueryError> {
    let (size, held) = match since {
        Since::Size(size) => (*size, None),
        Since::Note(note) => {
            let (ring, _) = checkpoints::key_ring(store).await.map_err(read_error)?;
            let ring = KeyRing::of(
                trusted
                    .into_iter()
                    .flat_map(KeyRing::all)
                    .chain(ring.all())
                    .cloned(),
            );
            let held = open_checkpoint_any(note, &ring).map_err(|err| {
                QueryError::rejected(format!(
                    "--since: the checkpoint given does not open with the log's keys: {err}"
                ))
            })?;
            (held.size, Some(held))
        }
    };
    let recorded = checkpoints::checkpoint_of_size(store, size)
        .await
        .map_err(read_error)?;
    let head = store.head().await.map_err(read_error)?;
    Ok(match (recorded, held) {
        (Some(start), Some(held)) if start.checkpoint.root != held.root => {
            Err(Finding::CheckpointMismatch {
                origin: "given with --since".into(),
                size,
                before: size,
                signed: held.root_hex(),
                computed: format!("{}, as the log recorded it", start.checkpoint.root_hex()),
            })
        }
        (Some(start), _) => Ok(start),
        (None, Some(_)) if size > head.0 => Err(Finding::Truncated {
            origin: "given with --since".into(),
            size,
            head,
        }),
        (None, Some(held)) => Err(Finding::CheckpointMismatch {
            origin: "given with --since".into(),
            size,
            before: size,
            signed: held.root_hex(),
            computed: "no checkpoint of that size recorded in the log".into(),
        }),
        (None, None) => {
            return Err(QueryError::rejected(format!(
                "the log records no checkpoint of {size} commits; `scoreledger checkpoint list` lists those it does"
            )))
        }
    })
}

/// The verification that did not start: the log did not record the checkpoint held outside it.
async fn not_started(
    store: &dyn EventStore,
    finding: Finding,
) -> Result<LogVerification, ReadError> {
    Ok(LogVerification {
        commits: 0,
        streams: 0,
        head: store.head().await?,
        root: String::new(),
        signed_from: None,
        checkpoints: 0,
        latest_checkpoint: None,
        set_aside: Vec::new(),
        started_after: Position(0),
        finding: Some(finding),
    })
}

/// What a verification that passed over set-aside commits says of them.
fn set_aside_note(set_aside: &[Position]) -> String {
    match set_aside {
        [] => String::new(),
        positions => format!(
            "; {} that cannot be read passed over, set aside by an admin (position{} {}; `scoreledger history --what set-aside` says who and why)",
            if positions.len() == 1 { "1 commit".to_owned() } else { format!("{} commits", positions.len()) },
            if positions.len() == 1 { "" } else { "s" },
            positions.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        ),
    }
}
