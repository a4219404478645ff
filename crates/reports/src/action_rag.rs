//! RAG tallies of an improvement plan's actions as the 2010 updates print them ("Red: 2 (5%)
//! Amber: 22 (50%) Green: 20 (45%) (out of which 13 are now deemed as completed)"), and what
//! changed between two updates: each action added and each colour that changed (S19).

use rust_decimal::{Decimal, RoundingStrategy};
use scoreledger_projections::ActionRecord;
use serde::Serialize;

/// A count and its share of the rated actions, in whole percent as the 2010 packs print them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RagShare {
    /// The count.
    pub count: u64,
    /// Its share of the rated actions ("5%"), or `None` when none is rated.
    pub percent: Option<String>,
}

impl RagShare {
    /// Rounded once, from the exact share: 2 of 44 is 4.545…%, printed 5%, where rounding
    /// the one-decimal 4.5% again would print 4%.
    fn new(count: u64, of: u64) -> Self {
        let percent = (of > 0).then(|| {
            (Decimal::from(count) * Decimal::ONE_HUNDRED / Decimal::from(of))
                .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        });
        Self {
            count,
            percent: percent.map(|p| format!("{p}%")),
        }
    }
}

/// The RAG tally of a set of actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RagTally {
    /// Actions rated.
    pub rated: u64,
    /// Rated red.
    pub red: RagShare,
    /// Rated amber.
    pub amber: RagShare,
    /// Rated green, the completed included.
    pub green: RagShare,
    /// Of the green, how many are rated complete.
    pub complete: u64,
    /// Actions registered but not rated: shown, not dropped.
    pub unrated: u64,
}

/// The tally of `actions` by the rating in force for each.
pub fn tally(actions: &[ActionRecord]) -> RagTally {
    let count = |rag: &str| {
        actions
            .iter()
            .filter(|a| a.rating().is_some_and(|r| r.rag == rag))
            .count() as u64
    };
    let (red, amber, green, complete) = (
        count("red"),
        count("amber"),
        count("green"),
        count("complete"),
    );
    let rated = red + amber + green + complete;
    RagTally {
        rated,
        red: RagShare::new(red, rated),
        amber: RagShare::new(amber, rated),
        green: RagShare::new(green + complete, rated),
        complete,
        unrated: actions.len() as u64 - rated,
    }
}

impl RagTally {
    /// The tally as the 2010 updates print it.
    pub fn sentence(&self) -> String {
        let share = |s: &RagShare| match &s.percent {
            Some(p) => format!("{} ({p})", s.count),
            None => s.count.to_string(),
        };
        let mut text = format!(
            "Red: {} Amber: {} Green: {} (out of which {} are now deemed as completed)",
            share(&self.red),
            share(&self.amber),
            share(&self.green),
            self.complete
        );
        if self.unrated > 0 {
            text.push_str(&format!("; {} not rated", self.unrated));
        }
        text
    }
}

/// An action whose rating differs between two updates, or that the later one added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RagChange {
    /// The plan.
    pub plan: String,
    /// The key action.
    pub key_action: String,
    /// The rating at the earlier update (`None`: not rated, or not yet registered).
    pub before: Option<String>,
    /// The rating at the later one.
    pub after: Option<String>,
    /// Whether the later update added the action.
    pub added: bool,
}

/// Each action of `later` added since `earlier` or rated differently, in `later`'s order.
pub fn changes(earlier: &[ActionRecord], later: &[ActionRecord]) -> Vec<RagChange> {
    let rag = |a: &ActionRecord| a.rating().map(|r| r.rag.clone());
    later
        .iter()
        .filter_map(|after| {
            let before = earlier.iter().find(|b| b.action_id == after.action_id);
            let was = before.and_then(rag);
            let now = rag(after);
            (before.is_none() || was != now).then(|| RagChange {
                plan: after.plan.clone(),
                key_action: after.key_action.clone(),
                before: was,
                after: now,
                added: before.is_none(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use scoreledger_projections::ActionRating;

    use super::*;

    fn action(id: usize, rag: Option<&str>) -> ActionRecord {
        ActionRecord {
            action_id: id.to_string(),
            plan: "RMBC Notice to Improve Action Plan".into(),
            objective: "Objective".into(),
            key_action: format!("Action {id}"),
            lead: "Lead".into(),
            measures: Vec::new(),
            registered_by: "Sue Wilson".into(),
            registered_at: "2010-04-20T09:00:00+00:00".into(),
            target_date: "June 2010".into(),
            moves: Vec::new(),
            completed_on: None,
            baseline: None,
            targets: None,
            workstream: None,
            texts: Vec::new(),
            ratings: rag
                .map(|rag| ActionRating {
                    rag: rag.into(),
                    arrow: None,
                    by: "Sue Wilson".into(),
                    at: "2010-04-20T09:00:00+00:00".into(),
                    reason: None,
                    reported_on: None,
                    position: id as u64,
                })
                .into_iter()
                .collect(),
        }
    }

    fn plan(reds: usize, ambers: usize, greens: usize, complete: usize) -> Vec<ActionRecord> {
        let rags = std::iter::repeat_n("red", reds)
            .chain(std::iter::repeat_n("amber", ambers))
            .chain(std::iter::repeat_n("green", greens))
            .chain(std::iter::repeat_n("complete", complete));
        rags.enumerate().map(|(i, r)| action(i, Some(r))).collect()
    }

    #[test]
    fn the_17_may_2010_tally_is_printed_as_the_update_printed_it() {
        let tallied = tally(&plan(2, 22, 7, 13));
        assert_eq!(tallied.rated, 44);
        assert_eq!(
            tallied.sentence(),
            "Red: 2 (5%) Amber: 22 (50%) Green: 20 (45%) (out of which 13 are now deemed as completed)"
        );
    }

    #[test]
    fn unrated_actions_are_counted_not_dropped() {
        let mut actions = plan(3, 23, 17, 0);
        actions.push(action(99, None));
        let tallied = tally(&actions);
        assert_eq!((tallied.rated, tallied.unrated), (43, 1));
        assert!(
            tallied.sentence().ends_with("; 1 not rated"),
            "{}",
            tallied.sentence()
        );
    }

    #[test]
    fn changes_list_the_added_action_and_each_colour_that_changed() {
        let earlier = plan(3, 23, 17, 0);
        let mut later = earlier.clone();
        later[0] = action(0, Some("amber"));
        later[5] = action(5, Some("complete"));
        later.push(action(43, Some("green")));
        let found = changes(&earlier, &later);
        let summary: Vec<(String, Option<String>, Option<String>, bool)> = found
            .into_iter()
            .map(|c| (c.key_action, c.before, c.after, c.added))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "Action 0".into(),
                    Some("red".into()),
                    Some("amber".into()),
                    false
                ),
                (
                    "Action 5".into(),
                    Some("amber".into()),
                    Some("complete".into()),
                    false
                ),
                ("Action 43".into(), None, Some("green".into()), true),
            ]
        );
    }
}
