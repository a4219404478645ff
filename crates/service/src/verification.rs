//! Proof that a published report follows from the log alone: replay the commits up to the
//! publication's cut-off into scratch read models, rebuild the report there, and compare it with
//! the published SHA-256 and part digests. The only query that replays the log; every other one
//! reads the system-versioned read models.

use scoreledger_domain::{Period, Position};
use scoreledger_projections::{self as projections, Publication, ReadModels};
use scoreledger_reports::{build_quarter_report, first_difference, QuarterReport};
use scoreledger_store::EventStore;
use serde::Serialize;

use crate::error::QueryError;
use crate::published::report_at;

/// Commits per read and per scratch transaction during a replay.
const BATCH: u64 = 1000;

/// What rebuilding a published report from the log showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Verification {
    /// The report rebuilt from the log alone reproduces the published SHA-256.
    pub verified: bool,
    /// The publication.
    pub report_id: String,
    /// Period reported, as printed.
    pub period: String,
    /// The log position the report was built at when it was published.
    pub cut_off: u64,
    /// The SHA-256 recorded in the publication.
    pub sha256: String,
    /// The SHA-256 of the report rebuilt from the first `cut_off` commits in fresh read models.
    pub replayed_sha256: String,
    /// Commits replayed.
    pub commits_replayed: u64,
    /// The first part (`summary` or a measure reference) whose digest differs between the
    /// publication and the replay; `None` when the replay reproduces the publication.
    pub first_differing_part: Option<String>,
    /// The live read models, asked as at the cut-off, give the replayed report too (when they
    /// do not, they have drifted from the log and need `scoreledger rebuild`).
    pub read_models_agree: bool,
    /// The SHA-256 of the report the live read models give as at the cut-off.
    pub read_models_sha256: String,
    /// The first part whose digest differs between the replay and the live read models.
    pub read_models_first_differing_part: Option<String>,
}

/// Replays the log up to `publication`'s cut-off into scratch read models (an SQLite file in a
/// temporary directory, removed afterwards) and compares the report rebuilt there with the
/// publication and with the live read models at the cut-off.
pub async fn verify_publication(
    store: &dyn EventStore,
    read: &ReadModels,
    publication: &Publication,
) -> Result<Verification, QueryError> {
    let period =
        Period::parse(&publication.period).map_err(|err| QueryError::rejected(err.to_string()))?;
    let cut_off = Position(publication.cut_off as u64);

    // Fresh read models, so the proof owes nothing to whatever state the live ones are in.
    let scratch = tempfile::tempdir().map_err(|err| QueryError::Scratch(Box::new(err)))?;
    let replay = ReadModels::sqlite(&scratch.path().join("replay.db"))
        .await
        .map_err(|err| QueryError::Scratch(Box::new(err)))?;
    let replayed = async {
        let commits = replay_to(store, &replay, cut_off).await?;
        Ok::<_, QueryError>((commits, rebuild(&replay, period, cut_off).await?))
    }
    .await;
    // Closed before the directory goes, whatever happened.
    replay.pool().close().await;
    let (commits_replayed, replayed) = replayed?;

    let live = report_at(read, period, cut_off).await?;
    Ok(Verification {
        verified: replayed.sha256() == publication.sha256,
        report_id: publication.report_id.clone(),
        period: publication.period.clone(),
        cut_off: cut_off.0,
        sha256: publication.sha256.clone(),
        replayed_sha256: replayed.sha256(),
        commits_replayed,
        first_differing_part: differing(
            &publication.sha256,
            &publication.part_digests(),
            &replayed,
        ),
        read_models_agree: live.sha256() == replayed.sha256(),
        read_models_sha256: live.sha256(),
        read_models_first_differing_part: differing(
            &replayed.sha256(),
            &replayed.part_digests(),
            &live,
        ),
    })
}

/// The first part of `report` whose digest is not the expected one, when its SHA-256 is not
/// the expected one (the whole report, when every part agrees but the whole does not).
fn differing(
    expected_sha256: &str,
    expected_parts: &[scoreledger_domain::PartDigest],
    report: &QuarterReport,
) -> Option<String> {
    (report.sha256() != expected_sha256).then(|| {
        first_difference(expected_parts, &report.part_digests())
            .unwrap_or_else(|| "the report as a whole".to_owned())
    })
}

/// Projects the commits up to `cut_off` into `replay` as the live projector does (passing
/// over a commit an admin set aside, stopping at one nobody did); returns how many there were.
async fn replay_to(
    store: &dyn EventStore,
    replay: &ReadModels,
    cut_off: Position,
) -> Result<u64, QueryError> {
    loop {
        let at = projections::checkpoint(replay).await?;
        if at >= cut_off {
            return Ok(at.0);
        }
        let limit = (cut_off.0 - at.0).min(BATCH) as usize;
        if projections::try_project_batch(store, replay, limit).await?
            == projections::Outcome::CaughtUp
        {
            return Ok(at.0);
        }
    }
}

/// The report of `period` in the replayed read models.
async fn rebuild(
    replay: &ReadModels,
    period: Period,
    cut_off: Position,
) -> Result<QuarterReport, QueryError> {
    let scorecard = projections::scorecard_as_at(replay, period, cut_off)
        .await?
        .ok_or_else(|| {
            QueryError::Corrupt(format!(
                "the replay to position {cut_off} holds no plan covering {period}"
            ))
        })?;
    Ok(build_quarter_report(&scorecard))
}
