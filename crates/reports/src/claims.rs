//! Checking figures quoted elsewhere against the scorecard: a cover report that says "28.1%
//! (16) have not progressed" while the scorecard printed beside it counts 17. Which state of
//! the log, if any, gives the quoted counts, and are they consistent with each other at all?

use std::collections::BTreeMap;

use scoreledger_domain::percent::{format_percent, percent_of};
use scoreledger_domain::{Direction, Status};

use crate::summary::Summary;

/// Counts quoted for a report, by figure: `status:off_target`, `direction:worse`, `measured`
/// (on target + satisfactory + off target), `with_direction`, `total`.
pub type Counts = BTreeMap<String, u64>;

/// The figure names a claim may use, in the order they are printed.
pub fn figure_names() -> Vec<String> {
    Status::ALL
        .iter()
        .map(|s| format!("status:{s}"))
        .chain(Direction::ALL.iter().map(|d| format!("direction:{d}")))
        .chain(["measured", "with_direction", "total"].map(str::to_owned))
        .collect()
}

/// The counts a summary gives for every figure.
pub fn counts(summary: &Summary) -> Counts {
    let mut counts = Counts::new();
    for tally in &summary.status {
        counts.insert(format!("status:{}", tally.key), tally.share.count);
    }
    for tally in &summary.direction {
        counts.insert(format!("direction:{}", tally.key), tally.share.count);
    }
    counts.insert("measured".into(), summary.measured);
    counts.insert("with_direction".into(), summary.with_direction);
    counts.insert("total".into(), summary.total);
    counts
}

/// How far a summary is from the claimed counts: the sum of absolute differences over the
/// figures claimed (0: every claimed figure matches).
pub fn distance(actual: &Counts, claimed: &Counts) -> u64 {
    claimed
        .iter()
        .map(|(figure, &count)| actual.get(figure).copied().unwrap_or(0).abs_diff(count))
        .sum()
}

/// Arithmetic the claimed counts break on their own, whatever the log says: statuses that
/// cannot add up to the total, a "measured" that is not on target + satisfactory + off target,
/// directions that cannot add up. `total` is the number of measures when the claim does not
/// say.
pub fn inconsistencies(claimed: &Counts, total: u64) -> Vec<String> {
    let total = claimed.get("total").copied().unwrap_or(total);
    let mut found = Vec::new();
    let get = |figure: &str| claimed.get(figure).copied();
    let statuses: Vec<(Status, Option<u64>)> = Status::ALL
        .iter()
        .map(|&s| (s, get(&format!("status:{s}"))))
        .collect();
    let known: u64 = statuses.iter().filter_map(|(_, c)| *c).sum();
    let missing: Vec<Status> = statuses
        .iter()
        .filter(|(_, c)| c.is_none())
        .map(|(s, _)| *s)
        .collect();
    let mut derived = BTreeMap::new();
    match missing.as_slice() {
        [] if known != total => found.push(format!(
            "the six statuses add up to {known}, not the {total} measures"
        )),
        [] => {}
        [_] if known > total => found.push(format!(
            "the statuses given already add up to {known}, more than the {total} measures"
        )),
        [only] => {
            derived.insert(*only, total - known);
        }
        _ => {}
    }
    let status = |s: Status| get(&format!("status:{s}")).or_else(|| derived.get(&s).copied());
    if let (Some(on), Some(satisfactory), Some(off)) = (
        status(Status::OnTarget),
        status(Status::Satisfactory),
        status(Status::OffTarget),
    ) {
        let measured = on + satisfactory + off;
        if let Some(claimed_measured) = get("measured") {
            if claimed_measured != measured {
                let how = match missing.as_slice() {
                    [only] => format!(" (with {only} = {} to make up the {total})", total - known),
                    _ => String::new(),
                };
                found.push(format!(
                    "on target + satisfactory + off target = {on} + {satisfactory} + {off} = {measured}{how}, but the shares are quoted of {claimed_measured} measured"
                ));
            }
        }
    }
    let directions: Vec<Option<u64>> = Direction::ALL
        .iter()
        .map(|d| get(&format!("direction:{d}")))
        .collect();
    if directions.iter().all(Option::is_some) {
        let sum: u64 = directions.iter().flatten().sum();
        if sum != total {
            found.push(format!(
                "the four directions add up to {sum}, not the {total} measures"
            ));
        }
    }
    found
}

/// `count of whole = percent`, the way the pack prints a share.
pub fn share_text(count: u64, whole: u64) -> String {
    match percent_of(count, whole) {
        Some(p) => format!("{count} of {whole} = {}", format_percent(p)),
        None => format!("{count} of {whole}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(pairs: &[(&str, u64)]) -> Counts {
        pairs.iter().map(|(f, c)| ((*f).to_owned(), *c)).collect()
    }

    #[test]
    fn the_q3_cover_report_counts_cannot_all_be_true() {
        // Cover report: 25 on target = 43.9% of measured (so 57 measured), 16 not progressed,
        // 16 not applicable, 29 not yet available, none under development.
        let cover = claim(&[
            ("status:on_target", 25),
            ("status:off_target", 16),
            ("status:under_development", 0),
            ("status:not_applicable", 16),
            ("status:not_yet_available", 29),
            ("measured", 57),
        ]);
        let found = inconsistencies(&cover, 103);
        assert_eq!(
            found,
            ["on target + satisfactory + off target = 25 + 17 + 16 = 58 (with satisfactory = 17 to make up the 103), but the shares are quoted of 57 measured"]
        );
    }

    #[test]
    fn the_q3_scorecard_counts_are_consistent() {
        let scorecard = claim(&[
            ("status:on_target", 25),
            ("status:satisfactory", 15),
            ("status:off_target", 17),
            ("status:under_development", 0),
            ("status:not_applicable", 17),
            ("status:not_yet_available", 29),
            ("measured", 57),
            ("direction:improved", 33),
            ("direction:stable", 20),
            ("direction:worse", 16),
            ("direction:not_applicable", 34),
        ]);
        assert_eq!(inconsistencies(&scorecard, 103), Vec::<String>::new());
    }

    #[test]
    fn distance_counts_only_the_claimed_figures() {
        let actual = claim(&[
            ("status:off_target", 17),
            ("direction:worse", 16),
            ("total", 103),
        ]);
        assert_eq!(distance(&actual, &claim(&[("status:off_target", 16)])), 1);
        assert_eq!(
            distance(
                &actual,
                &claim(&[("status:off_target", 16), ("direction:worse", 14)])
            ),
            3
        );
        assert_eq!(distance(&actual, &Counts::new()), 0);
        assert_eq!(share_text(16, 57), "16 of 57 = 28.1%");
        assert_eq!(share_text(14, 69), "14 of 69 = 20.3%");
    }
}
