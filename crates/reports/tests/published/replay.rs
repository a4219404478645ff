//! Replays: fresh read models holding exactly the first P commits of the log, and the
//! quarter report as a set of read models stands at a position.

use scoreledger_domain::{Period, Position};
use scoreledger_projections::projector::project_commits;
use scoreledger_projections::{scorecard_as_at, ReadModels};
use scoreledger_reports::{build_quarter_report, QuarterReport};
use scoreledger_store::Commit;
use scoreledger_testkit::pair::Pair;

/// Fresh read models, empty at first, that a case moves forward through the log one
/// checked position after another. At each stop they hold exactly the first P commits and
/// nothing after them, as a replay from empty into brand-new read models would; one per
/// case instead of one per position because creating and migrating a database is most of
/// a case's cost.
pub(crate) struct Replay {
    read: ReadModels,
    projected: usize,
}

impl Replay {
    /// Empty read models of the pair's kind, apart from the pair's own.
    pub(crate) async fn fresh(db: &mut Pair) -> Self {
        Self {
            read: db.fresh_read_models().await,
            projected: 0,
        }
    }

    /// The read models with the first `p` commits of `log` (the whole log, in order)
    /// projected; `p` must not be before the last stop.
    pub(crate) async fn up_to(&mut self, log: &[Commit], p: Position) -> &ReadModels {
        let p = p.0 as usize;
        assert!(
            p >= self.projected,
            "a replay only moves forward ({} → {p})",
            self.projected
        );
        project_commits(&self.read, &log[self.projected..p])
            .await
            .expect("the log projects into fresh read models");
        self.projected = p;
        &self.read
    }
}

/// The report of `period` built from `read` as at `position`.
pub(crate) async fn report_at(
    read: &ReadModels,
    period: Period,
    position: Position,
) -> QuarterReport {
    let scorecard = scorecard_as_at(read, period, position)
        .await
        .expect("the scorecard is readable")
        .unwrap_or_else(|| panic!("no plan covers {period} at position {position}"));
    build_quarter_report(&scorecard)
}
