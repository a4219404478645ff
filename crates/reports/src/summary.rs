//! The scorecard summary exactly as the 2016/17 pack computes it: counts and percentages of
//! all measures per status and direction, per priority, for the priority measures, and the
//! shares of measures "with data this quarter".

use serde::{Deserialize, Serialize};

use scoreledger_domain::percent::{format_percent, percent_of};
use scoreledger_domain::{Direction, Rag, Status, StatusScheme};

/// A count with its share of a stated whole, printed as the pack prints it (`24.3%`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Share {
    /// The count.
    pub count: u64,
    /// The whole it is a share of.
    pub of: u64,
    /// `count / of`, one decimal place; `None` when `of` is zero.
    pub percent: Option<String>,
}

impl Share {
    /// `count` of `of`.
    pub fn new(count: u64, of: u64) -> Self {
        Self {
            count,
            of,
            percent: percent_of(count, of).map(format_percent),
        }
    }
}

/// One line of a tally: a status or direction with its wording, count and share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Tally {
    /// Machine name (`on_target`).
    pub key: String,
    /// The key's wording.
    pub label: String,
    /// Count and share of all measures.
    pub share: Share,
}

/// Status counts of a group of measures, with shares of those measured this quarter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PrioritySummary {
    /// Priority number.
    pub number: u8,
    /// Priority title.
    pub title: String,
    /// Measures in the priority.
    pub total: u64,
    /// Measures with data against a target this quarter (on target + satisfactory + off target).
    pub measured: u64,
    /// On target, as a share of measured.
    pub on_target: Share,
    /// Satisfactory, as a share of measured.
    pub satisfactory: Share,
    /// Off target, as a share of measured.
    pub off_target: Share,
    /// Under development.
    pub under_development: u64,
    /// Not applicable for target.
    pub not_applicable: u64,
    /// No data yet.
    pub not_yet_available: u64,
}

/// The priority-measure paragraph of the executive summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PriorityMeasureSummary {
    /// Priority measures.
    pub total: u64,
    /// Those with data this quarter.
    pub with_data: u64,
    /// Hitting their targets, as a share of those with data.
    pub on_target: Share,
    /// Missing targets.
    pub off_target: Share,
    /// On track but not yet hitting target.
    pub satisfactory: Share,
    /// Without data yet (infrequent reporting).
    pub not_yet_available: u64,
    /// Without a specific target.
    pub not_applicable: u64,
    /// With a direction of travel.
    pub with_direction: u64,
    /// Improving, as a share of those with a direction.
    pub improved: Share,
    /// Declining.
    pub worse: Share,
    /// Stable.
    pub stable: Share,
}

/// The whole summary box and the executive-summary figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Summary {
    /// All measures.
    pub total: u64,
    /// Per status, in the order of the key.
    pub status: Vec<Tally>,
    /// Per direction of travel, in the order of the key.
    pub direction: Vec<Tally>,
    /// Per 2010 RAG rating (plans assessed in that scheme; empty otherwise).
    pub rag: Vec<Tally>,
    /// Measures with data against a target this quarter.
    pub measured: u64,
    /// On target as a share of measured (43.9% = 25 of 57).
    pub on_target_of_measured: Share,
    /// Off target as a share of measured (29.8% = 17 of 57).
    pub off_target_of_measured: Share,
    /// Measures with a direction of travel.
    pub with_direction: u64,
    /// Improved as a share of those with a direction (47.8% = 33 of 69).
    pub improved_of_directed: Share,
    /// Worse as a share of those with a direction (23.2% = 16 of 69).
    pub worse_of_directed: Share,
    /// Per priority.
    pub by_priority: Vec<PrioritySummary>,
    /// The priority measures.
    pub priority_measures: PriorityMeasureSummary,
}

impl Summary {
    /// The summary box: its heading and lines, the six statuses, or the RAG ratings of a plan
    /// assessed in the 2010 scheme.
    pub fn summary_box(&self) -> (&'static str, &[Tally]) {
        if self.rag.is_empty() {
            ("Overall status", &self.status)
        } else {
            ("RAG rating", &self.rag)
        }
    }

    /// For a plan in the 2010 scheme, the measures that carry no RAG rating for the period.
    pub fn not_rated(&self) -> Option<Share> {
        if self.rag.is_empty() {
            return None;
        }
        let rated: u64 = self.rag.iter().map(|t| t.share.count).sum();
        Some(Share::new(self.total.saturating_sub(rated), self.total))
    }

    /// For a plan in the 2010 scheme, the ratings as the updates print them ("Of the 44
    /// measures, 43 are rated: Red: 2 (4.5%) Amber: 21 (47.7%) …; 1 not rated."): the 2016
    /// scheme's sentences about targets hit say nothing of such a plan.
    pub fn rag_sentence(&self) -> Option<String> {
        let unrated = self.not_rated()?;
        let ratings: Vec<String> = self
            .rag
            .iter()
            .map(|t| {
                format!(
                    "{}: {} ({})",
                    capitalised(&t.label),
                    t.share.count,
                    t.share.percent.as_deref().unwrap_or("-")
                )
            })
            .collect();
        Some(format!(
            "Of the {} measures, {} are rated: {}; {} not rated.",
            self.total,
            self.total - unrated.count,
            ratings.join(" "),
            unrated.count
        ))
    }
}

/// `red` → `Red`.
pub fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// What the summary needs of each measure.
#[derive(Debug, Clone, Copy)]
pub struct Assessed {
    /// Priority number.
    pub priority: u8,
    /// Priority measure?
    pub priority_measure: bool,
    /// Status shown (a measure without an assessment counts as not yet available).
    pub status: Status,
    /// Direction shown (none counts as not applicable).
    pub direction: Direction,
    /// 2010-scheme rating, if any.
    pub rag: Option<Rag>,
}

fn count(measures: &[Assessed], status: Status) -> u64 {
    measures.iter().filter(|m| m.status == status).count() as u64
}

fn count_direction(measures: &[Assessed], direction: Direction) -> u64 {
    measures.iter().filter(|m| m.direction == direction).count() as u64
}

fn measured(measures: &[Assessed]) -> u64 {
    measures.iter().filter(|m| m.status.is_measured()).count() as u64
}

fn directed(measures: &[Assessed]) -> u64 {
    measures
        .iter()
        .filter(|m| m.direction.is_measured())
        .count() as u64
}

/// Computes the summary; `priorities` gives the titles in number order. A plan in the 2010
/// scheme is tallied by RAG rating instead of by the six statuses.
pub fn summarise(
    measures: &[Assessed],
    priorities: &[(u8, String)],
    scheme: StatusScheme,
) -> Summary {
    let total = measures.len() as u64;
    let rag = match scheme {
        StatusScheme::Corporate2016 => Vec::new(),
        StatusScheme::Rag2010 => Rag::ALL
            .iter()
            .map(|&r| Tally {
                key: r.to_string(),
                label: r.to_string(),
                share: Share::new(
                    measures.iter().filter(|m| m.rag == Some(r)).count() as u64,
                    total,
                ),
            })
            .collect(),
    };
    let status = Status::ALL
        .iter()
        .filter(|_| scheme == StatusScheme::Corporate2016)
        .map(|&s| Tally {
            key: s.to_string(),
            label: s.label().to_owned(),
            share: Share::new(count(measures, s), total),
        })
        .collect();
    let direction = Direction::ALL
        .iter()
        .map(|&d| Tally {
            key: d.to_string(),
            label: d.label().to_owned(),
            share: Share::new(count_direction(measures, d), total),
        })
        .collect();
    let measured_all = measured(measures);
    let directed_all = directed(measures);
    let by_priority = priorities
        .iter()
        .map(|(number, title)| {
            let group: Vec<Assessed> = measures
                .iter()
                .copied()
                .filter(|m| m.priority == *number)
                .collect();
            let measured = measured(&group);
            PrioritySummary {
                number: *number,
                title: title.clone(),
                total: group.len() as u64,
                measured,
                on_target: Share::new(count(&group, Status::OnTarget), measured),
                satisfactory: Share::new(count(&group, Status::Satisfactory), measured),
                off_target: Share::new(count(&group, Status::OffTarget), measured),
                under_development: count(&group, Status::UnderDevelopment),
                not_applicable: count(&group, Status::NotApplicable),
                not_yet_available: count(&group, Status::NotYetAvailable),
            }
        })
        .collect();
    let flagged: Vec<Assessed> = measures
        .iter()
        .copied()
        .filter(|m| m.priority_measure)
        .collect();
    let with_data = measured(&flagged);
    let with_direction = directed(&flagged);
    Summary {
        total,
        status,
        direction,
        rag,
        measured: measured_all,
        on_target_of_measured: Share::new(count(measures, Status::OnTarget), measured_all),
        off_target_of_measured: Share::new(count(measures, Status::OffTarget), measured_all),
        with_direction: directed_all,
        improved_of_directed: Share::new(
            count_direction(measures, Direction::Improved),
            directed_all,
        ),
        worse_of_directed: Share::new(count_direction(measures, Direction::Worse), directed_all),
        by_priority,
        priority_measures: PriorityMeasureSummary {
            total: flagged.len() as u64,
            with_data,
            on_target: Share::new(count(&flagged, Status::OnTarget), with_data),
            off_target: Share::new(count(&flagged, Status::OffTarget), with_data),
            satisfactory: Share::new(count(&flagged, Status::Satisfactory), with_data),
            not_yet_available: count(&flagged, Status::NotYetAvailable),
            not_applicable: count(&flagged, Status::NotApplicable),
            with_direction,
            improved: Share::new(
                count_direction(&flagged, Direction::Improved),
                with_direction,
            ),
            worse: Share::new(count_direction(&flagged, Direction::Worse), with_direction),
            stable: Share::new(count_direction(&flagged, Direction::Stable), with_direction),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measures(spec: &[(Status, Direction, u64)]) -> Vec<Assessed> {
        spec.iter()
            .flat_map(|&(status, direction, n)| {
                (0..n).map(move |_| Assessed {
                    priority: 1,
                    priority_measure: false,
                    status,
                    direction,
                    rag: None,
                })
            })
            .collect()
    }

    #[test]
    fn the_published_q3_summary_box_is_reproduced_from_counts() {
        use Direction::*;
        use Status::*;
        // 25/15/17/0/17/29 statuses and 33/20/16/34 directions over 103 measures.
        let all = measures(&[
            (OnTarget, Improved, 25),
            (Satisfactory, Improved, 8),
            (Satisfactory, Stable, 7),
            (OffTarget, Stable, 13),
            (OffTarget, Worse, 4),
            (Status::NotApplicable, Worse, 12),
            (Status::NotApplicable, Direction::NotApplicable, 5),
            (NotYetAvailable, Direction::NotApplicable, 29),
        ]);
        let summary = summarise(
            &all,
            &[(1, "Every child".into())],
            StatusScheme::Corporate2016,
        );
        let printed: Vec<(String, u64, Option<String>)> = summary
            .status
            .iter()
            .map(|t| (t.key.clone(), t.share.count, t.share.percent.clone()))
            .collect();
        let p = |s: &str| Some(s.to_owned());
        assert_eq!(
            printed,
            vec![
                ("on_target".into(), 25, p("24.3%")),
                ("satisfactory".into(), 15, p("14.6%")),
                ("off_target".into(), 17, p("16.5%")),
                ("under_development".into(), 0, p("0.0%")),
                ("not_applicable".into(), 17, p("16.5%")),
                ("not_yet_available".into(), 29, p("28.2%")),
            ]
        );
        let directions: Vec<u64> = summary.direction.iter().map(|t| t.share.count).collect();
        assert_eq!(directions, [33, 20, 16, 34]);
        assert_eq!(
            summary.on_target_of_measured.percent.as_deref(),
            Some("43.9%")
        );
        assert_eq!(
            summary.off_target_of_measured.percent.as_deref(),
            Some("29.8%")
        );
        assert_eq!(
            summary.improved_of_directed.percent.as_deref(),
            Some("47.8%")
        );
        assert_eq!(summary.worse_of_directed.percent.as_deref(), Some("23.2%"));
        assert_eq!(summary.by_priority[0].measured, 57);
    }

    #[test]
    fn a_2010_plan_is_tallied_by_rag_rating() {
        let rated = |rag| Assessed {
            priority: 1,
            priority_measure: false,
            status: Status::NotYetAvailable,
            direction: Direction::Improved,
            rag: Some(rag),
        };
        let measures = [
            rated(Rag::Red),
            rated(Rag::Green),
            rated(Rag::Green),
            rated(Rag::Complete),
        ];
        let summary = summarise(
            &measures,
            &[(1, "Staying Safe".into())],
            StatusScheme::Rag2010,
        );
        assert!(summary.status.is_empty());
        let tallies: Vec<(String, u64, Option<String>)> = summary
            .rag
            .iter()
            .map(|t| (t.key.clone(), t.share.count, t.share.percent.clone()))
            .collect();
        assert_eq!(
            tallies,
            vec![
                ("red".into(), 1, Some("25.0%".into())),
                ("amber".into(), 0, Some("0.0%".into())),
                ("green".into(), 2, Some("50.0%".into())),
                ("complete".into(), 1, Some("25.0%".into())),
            ]
        );
        assert_eq!(summary.not_rated().map(|s| s.count), Some(0));
        // An unrated measure is counted as such, not dropped.
        let unrated = Assessed {
            rag: None,
            ..rated(Rag::Red)
        };
        let summary = summarise(
            &[rated(Rag::Green), unrated],
            &[(1, "Staying Safe".into())],
            StatusScheme::Rag2010,
        );
        assert_eq!(
            summary.rag_sentence().as_deref(),
            Some(
                "Of the 2 measures, 1 are rated: Red: 0 (0.0%) Amber: 0 (0.0%) Green: 1 (50.0%) \
                 Complete: 0 (0.0%); 1 not rated."
            )
        );
        let corporate = summarise(
            &[],
            &[(1, "Every child".into())],
            StatusScheme::Corporate2016,
        );
        assert_eq!(
            (corporate.not_rated(), corporate.rag_sentence()),
            (None, None)
        );
    }

    #[test]
    fn an_empty_group_has_no_percentages() {
        let summary = summarise(
            &[],
            &[(1, "Every child".into())],
            StatusScheme::Corporate2016,
        );
        assert_eq!(summary.on_target_of_measured.percent, None);
        assert_eq!(summary.by_priority[0].total, 0);
    }
}
