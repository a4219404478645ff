//! Published reports: found by what a user types, built at a position, and shown exactly as
//! published or not at all.

use scoreledger_domain::{Period, Position};
use scoreledger_projections::{self as projections, Publication, ReadModels};
use scoreledger_reports::{build_quarter_report, first_difference, QuarterReport};

use crate::error::QueryError;

fn period(text: &str) -> Result<Period, QueryError> {
    Period::parse(text).map_err(|err| QueryError::rejected(err.to_string()))
}

/// The publication `text` names: an id or unique id prefix; a period, when it has been
/// published once; or a period and the meeting or date it went to (`Q3 2016/17 @ Cabinet`,
/// `Q3 2016/17 @ 2017-01-13`).
///
/// A period published more than once (the Q3 pack went to Cabinet and then to Overview and
/// Scrutiny) is never resolved by picking one: the answer would change meaning when the next
/// publication lands. The user is shown every publication and asked to choose.
pub async fn find_publication(read: &ReadModels, text: &str) -> Result<Publication, QueryError> {
    let publications = projections::all_publications(read).await?;
    let wanted = text.trim().to_ascii_lowercase();
    let by_id: Vec<&Publication> = publications
        .iter()
        .filter(|p| !wanted.is_empty() && p.report_id.starts_with(&wanted))
        .collect();
    match by_id.as_slice() {
        [one] => return Ok((*one).clone()),
        [] => {}
        several => {
            return Err(QueryError::rejected(format!(
                "{} published reports have ids starting {text:?}; give more of the id",
                several.len()
            )))
        }
    }
    let (period_text, choice) = match text.split_once('@') {
        Some((period, choice)) => (period.trim(), Some(choice.trim())),
        None => (text.trim(), None),
    };
    let Ok(period) = Period::parse(period_text) else {
        return Err(QueryError::NotFound(format!(
            "no published report has an id starting {text:?}; give an id from `scoreledger report list`, a period such as \"Q2 2016/17\", or a period and its meeting or date (\"Q2 2016/17 @ Cabinet\")"
        )));
    };
    let printed = period.to_string();
    let of_period: Vec<&Publication> = publications
        .iter()
        .filter(|p| p.period == printed)
        .collect();
    if of_period.is_empty() {
        return Err(QueryError::NotFound(format!(
            "no report of {period} has been published; see `scoreledger report list`"
        )));
    }
    let chosen: Vec<&Publication> = match choice {
        None => of_period.clone(),
        Some(choice) => of_period
            .iter()
            .copied()
            .filter(|p| p.published_on == choice || p.meeting.trim().eq_ignore_ascii_case(choice))
            .collect(),
    };
    match (chosen.as_slice(), choice) {
        ([one], _) => Ok((*one).clone()),
        ([], Some(choice)) => Err(QueryError::NotFound(format!(
            "no report of {period} went to a meeting called {choice:?} or was published on it; {}",
            listing(&of_period)
        ))),
        (several, _) => Err(QueryError::Ambiguous(format!(
            "{period} has been published {} times; name one by id, or as \"{period} @ MEETING\" or \"{period} @ YYYY-MM-DD\": {}",
            several.len(),
            listing(several)
        ))),
    }
}

/// Every publication given, with whether they print the same report.
fn listing(publications: &[&Publication]) -> String {
    let each: Vec<String> = publications
        .iter()
        .map(|p| {
            format!(
                "{} to {} on {} (sha256 {})",
                p.report_id,
                p.meeting,
                p.published_on,
                p.sha256.get(..12).unwrap_or(&p.sha256)
            )
        })
        .collect();
    let identical = publications.windows(2).all(|w| w[0].sha256 == w[1].sha256);
    let verdict = match (publications.len(), identical) {
        (1, _) => "",
        (_, true) => "; they are identical reports",
        (_, false) => "; they are different reports",
    };
    format!("its publications are {}{verdict}", each.join("; "))
}

/// The report of `period` as the log stood at `position`.
pub async fn report_at(
    read: &ReadModels,
    period: Period,
    position: Position,
) -> Result<QuarterReport, QueryError> {
    let scorecard = projections::scorecard_as_at(read, period, position)
        .await?
        .ok_or_else(|| {
            QueryError::rejected(format!(
                "no plan covers {period} at position {position}; import one first (scoreledger import FILE)"
            ))
        })?;
    Ok(build_quarter_report(&scorecard))
}

/// A published report exactly as published: rebuilt at its cut-off and refused, naming the
/// first differing part, unless it reproduces the published SHA-256.
pub async fn published_report(
    read: &ReadModels,
    publication: &Publication,
) -> Result<QuarterReport, QueryError> {
    let reported = period(&publication.period)?;
    let report = report_at(read, reported, Position(publication.cut_off as u64)).await?;
    if report.sha256() != publication.sha256 {
        let differing = first_difference(&publication.part_digests(), &report.part_digests())
            .unwrap_or_else(|| "the report as a whole".to_owned());
        return Err(QueryError::Corrupt(format!(
            "the {reported} report rebuilt at its cut-off {} does not reproduce the published SHA-256 (first differing part: {differing}); prove it from the log with `scoreledger report rebuild {}`",
            publication.cut_off, publication.report_id
        )));
    }
    Ok(report)
}

/// The command that publishes the report of `period` as the read models stand at `cut_off`
/// (which must be their checkpoint): the report is built now, and its SHA-256 and part
/// digests go into the publication, so it can be rebuilt byte for byte later.
pub async fn publication(
    read: &ReadModels,
    period: Period,
    cut_off: Position,
    meeting: &str,
    published_on: chrono::NaiveDate,
    report_id: scoreledger_domain::ReportId,
) -> Result<(scoreledger_domain::Command, QuarterReport), QueryError> {
    let report = report_at(read, period, cut_off).await?;
    let plan = projections::scorecard::find_plan(read, &period, cut_off)
        .await?
        .ok_or_else(|| QueryError::NotFound(format!("no plan covers {period}")))?;
    let command = scoreledger_domain::Command::PublishReport {
        report_id,
        plan_id: plan.plan_id,
        kind: scoreledger_domain::event::ReportKind::QuarterlyScorecard,
        period,
        cut_off,
        meeting: meeting.to_owned(),
        published_on,
        rule_set_version: report.rule_set_version,
        sha256: report.sha256(),
        parts: report.part_digests(),
    };
    Ok((command, report))
}
