//! What became of values announced for a refresh from their source (question 3, scenario S4):
//! "all performance data will be refreshed for the end of Qtr 4/outturn report".
//!
//! An announcement names a value and the report its refreshed figure is due for. What the
//! refresh changed is read against the value as it stood at the announcement: the next
//! version of it, if any, confirms it unchanged or revises it; and once the report it is due
//! for is published, a value left as it was is named as not refreshed in time.
//!
//! One announcement of several measures lands as one commit per measure, at consecutive
//! positions; commits that follow one another so, with the same words, due report and
//! announcer, are listed as one announcement.
//!
//! A value is one plan's measure and period: the same reference in two years' plans is two
//! measures, so a value is followed within the plan its announcement was made in.

use serde::Serialize;

use scoreledger_domain::Period;
use scoreledger_projections::{reported_day, HistoryEntry, Publication, ValueVersion};

/// The history's `what` of an announcement.
pub const ANNOUNCED: &str = "refresh announced";

/// One announcement: the values it named, with what became of each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Announcement {
    /// The log position of its first commit.
    pub position: i64,
    /// Who announced it.
    pub announced_by: String,
    /// When it was recorded.
    pub recorded_at: String,
    /// The day it was reported (the day its commit names, else the day it was recorded).
    pub reported_on: String,
    /// Why, as the pack says it.
    pub note: String,
    /// The period of the report the refreshed figures are due for.
    pub due: String,
    /// That report, once published: its period and day.
    pub due_report: Option<String>,
    /// Each value named, in the order announced.
    pub values: Vec<Refreshed>,
    /// The position of its last commit (a value with no figure is not listed, but its commit
    /// still belongs to the announcement).
    #[serde(skip)]
    last_position: i64,
}

/// What became of one value announced for a refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refreshed {
    /// The measure.
    pub measure_ref: String,
    /// The period of the value.
    pub period: String,
    /// The log position of the commit that announced its refresh.
    pub announced_at_position: i64,
    /// The value as it stood when the refresh was announced.
    pub then: String,
    /// The value now (as at the position asked for).
    pub now: String,
    /// What the refresh did.
    pub outcome: Outcome,
    /// Now less then, when both are numbers and they differ.
    pub difference: Option<String>,
    /// The position of the first change after the announcement, if any.
    pub changed_at_position: Option<u64>,
    /// Whether that change came by the due report's cut-off (`None` while the report is not
    /// published).
    pub in_time: Option<bool>,
}

/// What a refresh did to a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Not changed since, and the report it is due for is not yet published.
    Awaiting,
    /// Changed since, always to the same figure (its quality confirmed, say).
    Unchanged,
    /// Changed since, to another figure.
    Revised,
    /// Changed since to another figure, then back to the one announced.
    Restored,
    /// Not changed, and the report it was due for has been published.
    NotRefreshed,
}

impl Outcome {
    /// In words, for a table.
    pub fn words(self) -> &'static str {
        match self {
            Outcome::Awaiting => "awaiting refresh",
            Outcome::Unchanged => "refreshed, unchanged",
            Outcome::Revised => "refreshed, revised",
            Outcome::Restored => "revised, then restored",
            Outcome::NotRefreshed => "not refreshed by the due report",
        }
    }
}

/// The announcements among `entries` (history rows in log order), each value followed through
/// `versions` (every version of every value, as [`scoreledger_projections::value_versions`]
/// gives them) and the due report looked for among `publications`; in log order.
pub fn announcements(
    entries: &[HistoryEntry],
    versions: &[ValueVersion],
    publications: &[Publication],
) -> Vec<Announcement> {
    let mut found: Vec<Announcement> = Vec::new();
    for entry in entries.iter().filter(|e| e.what == ANNOUNCED) {
        let (Some(plan_year), Some(measure), Some(period), Some(due)) = (
            entry.plan_year.as_deref(),
            entry.measure_ref.as_deref(),
            parse(entry.period.as_deref()),
            parse(entry.classification.as_deref()),
        ) else {
            continue;
        };
        let position = entry.position as u64;
        // The first report of the due period published after the announcement.
        let due_report = publications
            .iter()
            .filter(|p| p.position as u64 > position && parse(Some(&p.period)) == Some(due))
            .min_by_key(|p| p.position);
        let cell = Cell {
            plan_year,
            measure,
            period,
        };
        let value = follow(versions, &cell, entry.position, due_report);
        let note = entry.after.clone().unwrap_or_default();
        match found.last_mut() {
            Some(last)
                if last.due == due.to_string()
                    && last.note == note
                    && last.announced_by == entry.actor_name
                    && (last.last_position..=last.last_position + 1).contains(&entry.position) =>
            {
                last.values.extend(value);
                last.last_position = entry.position;
            }
            _ => found.push(Announcement {
                position: entry.position,
                announced_by: entry.actor_name.clone(),
                recorded_at: entry.recorded_at.clone(),
                reported_on: reported_day(entry.reported_on.as_deref(), &entry.recorded_at)
                    .map(|day| day.to_string())
                    .unwrap_or_default(),
                note,
                due: due.to_string(),
                due_report: due_report.map(|p| format!("{} ({})", p.period, p.published_on)),
                values: value.into_iter().collect(),
                last_position: entry.position,
            }),
        }
    }
    found
}

/// One plan's measure and period: the value an announcement names.
struct Cell<'a> {
    plan_year: &'a str,
    measure: &'a str,
    period: Period,
}

/// One value from the announcement at `position` on.
fn follow(
    versions: &[ValueVersion],
    cell: &Cell<'_>,
    announced_at: i64,
    due_report: Option<&Publication>,
) -> Option<Refreshed> {
    let position = announced_at as u64;
    let mut own: Vec<&ValueVersion> = versions
        .iter()
        .filter(|v| {
            v.plan_year == cell.plan_year
                && v.measure_ref == cell.measure
                && v.period == cell.period
        })
        .collect();
    own.sort_by_key(|v| v.from_position);
    let then = own
        .iter()
        .rev()
        .find(|v| v.from_position <= position)
        .copied()?;
    let now = own.last().copied()?;
    let since = own.iter().filter(|v| v.from_position > position);
    let first_change = since.clone().next();
    let cut_off = due_report.map(|p| p.cut_off as u64);
    let outcome = match first_change {
        None if cut_off.is_some() => Outcome::NotRefreshed,
        None => Outcome::Awaiting,
        Some(_) if since.clone().all(|v| v.value == then.value) => Outcome::Unchanged,
        Some(_) if now.value == then.value => Outcome::Restored,
        Some(_) => Outcome::Revised,
    };
    let difference = match (outcome, now.value.amount, then.value.amount) {
        (Outcome::Revised, Some(now), Some(then)) => {
            Some(format!("{:+}", (now - then).normalize()))
        }
        _ => None,
    };
    Some(Refreshed {
        measure_ref: cell.measure.to_owned(),
        period: cell.period.to_string(),
        announced_at_position: announced_at,
        then: then.value.raw.clone(),
        now: now.value.raw.clone(),
        outcome,
        difference,
        changed_at_position: first_change.map(|v| v.from_position),
        in_time: cut_off.map(|cut_off| first_change.is_some_and(|v| v.from_position <= cut_off)),
    })
}

fn parse(text: Option<&str>) -> Option<Period> {
    text.and_then(|t| Period::parse(t).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use scoreledger_domain::{DataQuality, RecordedValue};

    fn version(raw: &str, from: u64, to: Option<u64>) -> ValueVersion {
        ValueVersion {
            plan_year: "2016/17".into(),
            measure_ref: "1.A3".into(),
            period: Period::quarter(2016, 3),
            value: RecordedValue::parse(raw).unwrap(),
            quality: DataQuality::default(),
            from_position: from,
            to_position: to,
        }
    }

    fn announced(position: i64, measure: &str) -> HistoryEntry {
        HistoryEntry {
            position,
            seq: 0,
            recorded_at: "2017-01-05T09:00:00+00:00".into(),
            actor_id: "sdennis".into(),
            actor_name: "Simon Dennis".into(),
            actor_role: "performance".into(),
            on_behalf_of: None,
            event_type: "RefreshAnnounced".into(),
            measure_ref: Some(measure.into()),
            period: Some("Q3 2016/17".into()),
            what: ANNOUNCED.into(),
            before: None,
            after: Some("will be refreshed for the end of Qtr 4/outturn report".into()),
            reason: None,
            classification: Some("Q4 2016/17".into()),
            plan_year: Some("2016/17".into()),
            reported_on: Some("2017-01-13".into()),
            reported_in: Some("Cabinet, 13 January 2017".into()),
        }
    }

    fn q4_report(position: i64, cut_off: i64) -> Publication {
        Publication {
            report_id: "r".into(),
            period: "Q4 2016/17".into(),
            cut_off,
            meeting: "Cabinet".into(),
            published_on: "2017-06-12".into(),
            rule_set_version: 1,
            sha256: String::new(),
            position,
            actor_name: "Simon Dennis".into(),
            parts: "[]".into(),
        }
    }

    fn outcome_of(versions: &[ValueVersion], publications: &[Publication]) -> Refreshed {
        let found = announcements(&[announced(10, "1.A3")], versions, publications);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].due, "Q4 Jan - Mar 2017");
        assert_eq!(found[0].reported_on, "2017-01-13");
        found[0].values[0].clone()
    }

    #[test]
    fn a_value_not_changed_since_awaits_its_refresh_until_the_due_report() {
        let versions = [version("28.3%", 5, None)];
        let awaiting = outcome_of(&versions, &[]);
        assert_eq!(awaiting.outcome, Outcome::Awaiting);
        assert_eq!((awaiting.then.as_str(), awaiting.in_time), ("28.3%", None));
        let missed = outcome_of(&versions, &[q4_report(40, 39)]);
        assert_eq!(missed.outcome, Outcome::NotRefreshed);
        assert_eq!(missed.in_time, Some(false));
    }

    #[test]
    fn a_refresh_is_read_against_the_value_at_the_announcement() {
        // Revised once before the announcement (that is not the refresh), then by it.
        let versions = [
            version("29.0%", 3, Some(5)),
            version("28.3%", 5, Some(20)),
            version("27.9%", 20, None),
        ];
        let revised = outcome_of(&versions, &[q4_report(40, 39)]);
        assert_eq!(revised.outcome, Outcome::Revised);
        assert_eq!(
            (revised.then.as_str(), revised.now.as_str()),
            ("28.3%", "27.9%")
        );
        assert_eq!(revised.difference.as_deref(), Some("-0.4"));
        assert_eq!(revised.changed_at_position, Some(20));
        assert_eq!(revised.in_time, Some(true));
        // The same change after the due report's cut-off came too late for it.
        let late = outcome_of(&versions, &[q4_report(18, 15)]);
        assert_eq!(late.in_time, Some(false));
        // A report of the due period published before the announcement is not the due one.
        let earlier = outcome_of(&versions, &[q4_report(8, 7)]);
        assert_eq!(earlier.in_time, None);
    }

    #[test]
    fn a_refresh_to_the_same_figure_is_unchanged() {
        let versions = [version("28.3%", 5, Some(20)), version("28.3%", 20, None)];
        let same = outcome_of(&versions, &[]);
        assert_eq!(same.outcome, Outcome::Unchanged);
        assert_eq!(same.difference, None);
    }

    #[test]
    fn a_revision_undone_is_restored_not_unchanged() {
        let versions = [
            version("28.3%", 5, Some(20)),
            version("27.9%", 20, Some(25)),
            version("28.3%", 25, None),
        ];
        let restored = outcome_of(&versions, &[]);
        assert_eq!(restored.outcome, Outcome::Restored);
        assert_eq!(restored.changed_at_position, Some(20));
        assert_eq!(restored.difference, None);
    }

    #[test]
    fn a_value_is_followed_in_the_plan_it_was_announced_in() {
        // The next year's plan has a measure of the same reference with a figure for the
        // same period (a comparative); its revision is not the refresh.
        let mut next_year = version("30.0%", 20, None);
        next_year.plan_year = "2017/18".into();
        let versions = [version("28.3%", 5, None), next_year];
        assert_eq!(outcome_of(&versions, &[]).outcome, Outcome::Awaiting);
    }

    #[test]
    fn a_measure_with_no_figure_does_not_split_an_announcement() {
        let mut a6 = version("64", 6, None);
        a6.measure_ref = "1.A6".into();
        let versions = [version("28.3%", 5, None), a6];
        // 1.A9 has no figure for the period: its commit is in the middle of the three.
        let entries = [
            announced(10, "1.A3"),
            announced(11, "1.A9"),
            announced(12, "1.A6"),
        ];
        let found = announcements(&entries, &versions, &[]);
        let shape: Vec<(i64, usize)> = found.iter().map(|a| (a.position, a.values.len())).collect();
        assert_eq!(shape, [(10, 2)]);
    }

    #[test]
    fn announcements_in_a_row_with_the_same_words_are_listed_as_one() {
        let mut a6 = version("64", 6, None);
        a6.measure_ref = "1.A6".into();
        let versions = [version("28.3%", 5, None), a6];
        let other = HistoryEntry {
            after: Some("to be checked against the DfE return".into()),
            ..announced(13, "1.A6")
        };
        // The same words again after other commits are another announcement.
        let entries = [
            announced(10, "1.A3"),
            announced(11, "1.A6"),
            other,
            announced(14, "1.A3"),
            announced(17, "1.A3"),
        ];
        let found = announcements(&entries, &versions, &[]);
        let shape: Vec<(i64, usize)> = found.iter().map(|a| (a.position, a.values.len())).collect();
        assert_eq!(shape, [(10, 2), (13, 1), (14, 1), (17, 1)]);
        assert_eq!(found[0].values[1].announced_at_position, 11);
    }
}
