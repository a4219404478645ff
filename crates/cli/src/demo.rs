//! `scoreledger demo`: the 2016/17 Corporate Plan sample replayed as the year it was, on a
//! simulated clock, then read back the way its users would.
//!
//! Every figure comes from the built-in sample (the Q3 2016/17 scorecard as published).
//! Where the published pack shows that a figure changed ("95 (revised)", "note - Corporate
//! Plan stated 30.9%", "target has changed from 94% to 95%"), the demo records the earlier
//! figure first and the change later, by a named person with a reason. The one earlier
//! figure the pack does not print (2.B1's Q2 value before its revision) is illustrative, as
//! are the Q2 data notes of 3.A5 (a) and (b) (the pack prints only Q3's notes) and the DfE's
//! validation of 1.B3's provisional figure as unchanged.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use indicatif::{ProgressBar, ProgressStyle};

use scoreledger_domain::target::TargetSpec;
use scoreledger_domain::value::Quality;
use scoreledger_domain::{
    Actor, BasisKind, Command, DataQuality, Direction, Period, Position, RecordedValue, ReportId,
    Reported, RevisionClass, Role, RuleSet, Status,
};
use scoreledger_projections::{self as projections, HistoryFilter};
use scoreledger_reports::{render, QuarterReport};
use scoreledger_store::ManualClock;

use crate::app::App;
use crate::args::DemoArgs;
use crate::commands::publish::publish;
use crate::commands::report::build;
use crate::commands::{history, restated};
use crate::failure::{CliResult, Failed};
use crate::ids;
use crate::import::{parse_json, Numbering, ValidMeasure, ValidScorecard, SAMPLE_2016_17};
use crate::settings::{settings, NatsOptions, Settings, StoreLocation};
use crate::signing::{write_key, Signing};
use scoreledger_integrity::LogKey;
use scoreledger_service::keys;

/// A value the pack shows was restated after it was first reported.
struct Restatement {
    measure: &'static str,
    period: &'static str,
    first: &'static str,
    then: &'static str,
    classification: RevisionClass,
    reason: &'static str,
    by: (&'static str, &'static str, Role),
    on: (i32, u32, u32),
}

const RESTATEMENTS: &[Restatement] = &[
    Restatement {
        measure: "2.B1",
        period: "Q2 Jul - Sep 2016",
        first: "112",
        then: "95",
        classification: RevisionClass::Correction,
        reason: "Previous value referred to individuals involved in S42 enquiries in the quarter, not those completed",
        by: ("sam.newton", "Sam Newton", Role::Officer),
        on: (2016, 12, 6),
    },
    Restatement {
        measure: "1.A3",
        period: "2015/16",
        first: "30.9%",
        then: "30.6%",
        classification: RevisionClass::Correction,
        reason: "2015/16 outturn re-run after data validation; the Corporate Plan stated 30.9%",
        by: ("simon.dennis", "Simon Dennis", Role::Performance),
        on: (2016, 12, 12),
    },
    Restatement {
        measure: "1.B6",
        period: "2015/16",
        first: "5.1%",
        then: "5.3%",
        classification: RevisionClass::Correction,
        reason: "2015/16 outturn confirmed at 5.3%; the Corporate Plan included 5.1%",
        by: ("simon.dennis", "Simon Dennis", Role::Performance),
        on: (2016, 12, 12),
    },
    Restatement {
        measure: "1.B7 (a)",
        period: "2015/16",
        first: "52.4%",
        then: "58.3%",
        classification: RevisionClass::Correction,
        reason: "2015/16 outturn restated; the Corporate Plan states 52.4%",
        by: ("simon.dennis", "Simon Dennis", Role::Performance),
        on: (2016, 12, 12),
    },
    Restatement {
        measure: "1.B7 (b)",
        period: "2015/16",
        first: "81.6%",
        then: "85.5%",
        classification: RevisionClass::Correction,
        reason: "2015/16 outturn restated; the Corporate Plan states 81.6%",
        by: ("simon.dennis", "Simon Dennis", Role::Performance),
        on: (2016, 12, 12),
    },
    Restatement {
        measure: "4.B2",
        period: "2014/15",
        first: "0.67%",
        then: "0%",
        classification: RevisionClass::Correction,
        reason: "Non-decent stock outturn restated; the Corporate Plan stated 0.67%",
        by: ("simon.dennis", "Simon Dennis", Role::Performance),
        on: (2016, 12, 12),
    },
    Restatement {
        measure: "4.B2",
        period: "2015/16",
        first: "1.3%",
        then: "0%",
        classification: RevisionClass::Correction,
        reason: "Non-decent stock outturn restated; the Corporate Plan stated 1.3%",
        by: ("simon.dennis", "Simon Dennis", Role::Performance),
        on: (2016, 12, 12),
    },
];

/// Values the pack's data notes say were not final when entered.
struct Flagged {
    measures: &'static [&'static str],
    /// The quarter whose value and months' values are flagged.
    quarter: u8,
    quality: Quality,
    source: &'static str,
}

const FLAGGED: &[Flagged] = &[
    // "All performance shown for 2016-17 has now been taken from the new liquid logic social
    // care system … Data validation work is still ongoing … all performance data will be
    // refreshed for the end of Qtr 4/outturn report" [002:1918-1930].
    Flagged {
        measures: &["1.A1", "1.A3", "1.A4", "1.A5", "1.A6"],
        quarter: 3,
        quality: Quality::Provisional,
        source: "Liquid Logic",
    },
    // "This data is currently provisional and the validated data will be published by the
    // DfE on the 19th January 2017" [002:1935].
    Flagged {
        measures: &["1.B3"],
        quarter: 3,
        quality: Quality::Provisional,
        source: "DfE",
    },
    // "Forecasted performance up to 30.9.16 = 50.41%", "… up to 31.12.16 = 47.28%": "Q3
    // figures are estimated as performance figures from some of our waste treatment
    // facilities have only been received for Oct & Nov so far" [002:2039].
    Flagged {
        measures: &["3.B6"],
        quarter: 2,
        quality: Quality::Estimated,
        source: "Waste treatment returns",
    },
    Flagged {
        measures: &["3.B6"],
        quarter: 3,
        quality: Quality::Estimated,
        source: "Waste treatment returns",
    },
];

/// The quality flags a value of `measure` for `period` was entered with.
fn entered_quality(fy: i32, measure: &str, period: &Period) -> DataQuality {
    FLAGGED
        .iter()
        .find(|f| {
            let quarter = Period::quarter(fy, f.quarter);
            f.measures.contains(&measure)
                && (*period == quarter || quarter.months().contains(period))
        })
        .map(|f| DataQuality {
            quality: f.quality,
            source_system: Some(f.source.to_owned()),
        })
        .unwrap_or_default()
}

/// A value confirmed as it stood once validated. Illustrative: the pack was compiled
/// before the DfE's validated release and does not say whether it changed the figure.
struct Confirmation {
    measure: &'static str,
    quarter: u8,
    source: &'static str,
    reason: &'static str,
    on: (i32, u32, u32),
}

const CONFIRMATIONS: &[Confirmation] = &[Confirmation {
    measure: "1.B3",
    quarter: 3,
    source: "DfE validated release",
    reason: "The DfE published the validated 2016 Key Stage 4 results on 19 January 2017; Rotherham's Progress 8 score stands at 0.03",
    on: (2017, 1, 19),
}];

/// A change of definition or data source one of the Q3 scorecard's data notes reports: the
/// measure, what changed, the first period on the new basis, whether the earlier figures were
/// restated on it, and the note's words [002:1936], [002:1972-1977], [002:2065], [002:2107].
struct BasisChange {
    reference: &'static str,
    kind: BasisKind,
    from: &'static str,
    restated: bool,
    note: &'static str,
}

/// The Q3 scorecard's notes of changed definitions and sources (question 14). The public-
/// health indicators say their earlier data was revised on the new basis, except 2.A1's 2014
/// figure, printed "18.4% (Now 19.4%)*"; 1.B4 (a)'s new definition runs from 2015/16 ("2.9%
/// (old definition not comparable)"); 4.B5 (a) and 5.D3 changed how the year is counted without
/// saying that earlier quarters were recounted.
const BASIS_CHANGES: &[BasisChange] = &[
    BasisChange {
        reference: "2.A1",
        kind: BasisKind::Source,
        from: "2015/16",
        restated: false,
        note: "Data in PHOF now sourced from Annual Population Survey. Affects 2014 figure: \
               18.4% (Now 19.4%).",
    },
    BasisChange {
        reference: "2.A4",
        kind: BasisKind::Definition,
        from: "2015/16",
        restated: true,
        note: "Definition change in PHOF. Data for 2013-15 and retrospective data revised. \
               2012-14 data as shown in Corporate Plan = 9.7",
    },
    BasisChange {
        reference: "2.A5 (a)",
        kind: BasisKind::Definition,
        from: "2015/16",
        restated: true,
        note: "Definition change for drug treatment indicators in PHOF. 2015 data and \
               retrospective data revised. 2014 data unaffected.",
    },
    BasisChange {
        reference: "2.A5 (b)",
        kind: BasisKind::Definition,
        from: "2015/16",
        restated: true,
        note: "Definition change for drug treatment indicators in PHOF. 2015 data and \
               retrospective data revised. 2014 data as shown in Corporate Plan 52.6%.",
    },
    BasisChange {
        reference: "1.B4 (a)",
        kind: BasisKind::Definition,
        from: "2015/16",
        restated: false,
        note: "Persistent absence on the new definition from 2015/16; the 2014/15 figure of \
               2.9% is on the old definition and not comparable.",
    },
    BasisChange {
        reference: "4.B5 (a)",
        kind: BasisKind::Definition,
        from: "Q3 2016/17",
        restated: false,
        note: "The Council now caps performance across all Selective Licensing areas at 100%, \
               as Eastwood had 151% of its estimated properties registered by the end of \
               quarter 2.",
    },
    BasisChange {
        reference: "5.D3",
        kind: BasisKind::Definition,
        from: "Q3 2016/17",
        restated: false,
        note: "Classification consultancy expenditure now as agency distorting annual \
               projections.",
    },
];

/// What Appendix A of the Q3 2016/17 performance report (written after the scorecard of 13
/// January 2017, for the OSMB of 17 February) says of a measure, as printed [002:662-664],
/// [002:758-760], with the pack's bold marks left out. The exceptions table writes 2.B4 (a)
/// and (b) in one row; its half about (a) is recorded for (a).
const NARRATIVES: &[(&str, &str)] = &[
    (
        "1.A3",
        "The percentage of children who have had a social care concern raised within 12 months \
         of the last concern ending (priority measure) is now at 25.3% against the target of \
         23%; and, although missing the target, has improved significantly from the 31.6% at \
         the end of Quarter 2. It remains, however, higher than the national average and a \
         number of initiatives are in place to further improve performance for the final \
         quarter.",
    ),
    (
        "1.A5",
        "The increase in the proportion of children who are cared for in a family setting \
         (priority measure) is now on track to achieve its target by the year-end; and figures \
         have improved markedly from quarter two's performance of 81.1%, to a new level of \
         86.5% in this quarter.",
    ),
    (
        "1.C4 (b)",
        "The % of Child and Adolescent Mental Health Service (CAMHS) triaged referrals \
         assessed within 3 weeks is still an area of concern and current performance has \
         fallen to 26.3% in quarter three, compared to 28% in quarter two. This is well below \
         the target of 95%. Additional staff were appointed in December 2016 and a series of \
         actions are in place to improve matters for the final quarter.",
    ),
    (
        "2.B4 (a)",
        "Ref No. 2.B4 a) - Proportion of adults receiving self-directed support 79.9% - above \
         target (Priority measure)",
    ),
    (
        "2.B10",
        "Ref No. 2.B10 - Supporting people with a Learning Disability into employment slightly \
         below 6% target at 5.7%",
    ),
];

/// A data note written for a quarter before the one the pack printed.
struct EarlierNote {
    measure: &'static str,
    quarter: u8,
    text: &'static str,
}

/// Illustrative: the pack prints only Q3's data notes. 3.A5's Q3 note repeats its first
/// sentence from Q2, whose second sentence is the one Appendix A still printed in Q3 ("The
/// next LGA survey is scheduled for December 2016 …" [002:1327]).
const EARLIER_NOTES: &[EarlierNote] = &[
    EarlierNote {
        measure: "3.A5 (a)",
        quarter: 2,
        text: LGA_POLL_Q2,
    },
    EarlierNote {
        measure: "3.A5 (b)",
        quarter: 2,
        text: LGA_POLL_Q2,
    },
];

const LGA_POLL_Q2: &str = "The LGA polling on resident satisfaction is conducted on a 6 monthly \
basis and was requested by the Commissioners. The next LGA survey is scheduled for December 2016 \
and results will be fed in via the Quarter 3 performance report.";

/// A target the pack shows was changed after the Corporate Plan was approved.
struct TargetChange {
    measure: &'static str,
    first: &'static str,
    then: &'static str,
    reason: &'static str,
}

const TARGET_CHANGES: &[TargetChange] = &[
    TargetChange {
        measure: "1.B6",
        first: "4.9%",
        then: "3.1%",
        reason: "Target re-set to 3.1% for 2016/17; the Corporate Plan included 4.9%",
    },
    TargetChange {
        measure: "1.B8",
        first: "94%",
        then: "95%",
        reason: "Target has changed from 94% to 95% so that it is in line with OFSTED requirements",
    },
    TargetChange {
        measure: "4.C1",
        first: "450 increase",
        then: "1,950",
        reason: "Target amended from 450 increase to the overall number expected",
    },
    TargetChange {
        measure: "3.A2",
        first: "25% increase on 2015-16",
        then: "No Target - Not Applicable",
        reason: "Increases are seen as a positive response to awareness raising, so no target is set; the Corporate Plan stated 25% increase on 2015-16",
    },
    TargetChange {
        measure: "3.A3",
        first: "10% increase on 2015-16",
        then: "No Target - Not Applicable",
        reason: "Increases are seen as a positive response to awareness raising, so no target is set; the Corporate Plan stated 10% increase on 2015-16",
    },
];

/// An assessment the pack shows was revised before publication ("Status and DoT revised
/// following Q2 data"): first assessed as below, then changed to the printed one with a reason.
struct Reassessment {
    measure: &'static str,
    first_status: Status,
    first_direction: Direction,
    reason: &'static str,
}

const REASSESSMENTS: &[Reassessment] = &[Reassessment {
    measure: "1.C1",
    first_status: Status::NotYetAvailable,
    first_direction: Direction::NotApplicable,
    reason: "Status and DoT revised following Q2 data",
}];

const NEW_DIRECTOR: &str = "Anne Marie Lubanski, Strategic Director Adult Social Care and Housing";
const INTERIM_DIRECTOR: &str = "Interim Strategic Director, Adult Social Care and Housing";

/// The Q3 summary as printed in the pack, to check the rebuilt report against.
const PUBLISHED_STATUS: [u64; 6] = [25, 15, 17, 0, 17, 29];
const PUBLISHED_DIRECTION: [u64; 4] = [33, 20, 16, 34];

/// What the demo's officers go by for an earlier quarter: the rules' status and direction
/// from the values in the sample (the log records its own suggestion beside each assessment).
fn suggestions(
    measure: &ValidMeasure,
    values: &BTreeMap<Period, RecordedValue>,
    period: &Period,
    rules: &RuleSet,
) -> (Option<Status>, Direction) {
    let target = measure.target.as_ref().map(|t| t.for_period(period));
    let current = values.get(period).and_then(|v| v.amount);
    let previous = scoreledger_domain::previous_observation(values, period).and_then(|v| v.amount);
    let status = rules
        .suggest_status(target, current, measure.definition.polarity)
        .map(|s| s.value);
    let direction = rules.suggest_direction(previous, current, measure.definition.polarity, target);
    (status, direction)
}

/// An officer's status and direction for a quarter (the log records the rules' suggestions
/// beside them).
fn assessment(quarter: Period, (status, direction): (Status, Direction)) -> Vec<Command> {
    vec![
        Command::AssessStatus {
            period: quarter,
            status,
        },
        Command::AssessDirection {
            period: quarter,
            direction,
        },
    ]
}

/// The Q3 scorecard of 13 January 2017, as the report that said what the demo records
/// later (basis changes, the Liquid Logic refresh).
fn q3_scorecard() -> Reported {
    Reported {
        on: day(2017, 1, 13),
        document: "Quarterly Performance Scorecard (data for December 2016), Appendix B, \
                   13 January 2017"
            .to_owned(),
    }
}

fn at(year: i32, month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, 0, 0)
        .single()
        .expect("valid demo date")
}

fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid demo date")
}

fn performance() -> Actor {
    Actor::new("simon.dennis", "Simon Dennis", Role::Performance)
}

fn officer_of(measure: &ValidMeasure) -> Actor {
    let name = if measure.definition.lead_officer.is_empty() {
        "Performance Officer".to_owned()
    } else {
        measure.definition.lead_officer.clone()
    };
    let id = name
        .to_ascii_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(".");
    Actor::new(id, name, Role::Officer)
}

struct Story<'a> {
    app: App,
    clock: Arc<ManualClock>,
    sample: ValidScorecard,
    out: &'a mut dyn Write,
    bar: ProgressBar,
}

impl Story<'_> {
    fn fy(&self) -> Period {
        self.sample.plan.financial_year
    }

    fn quarter(&self, n: u8) -> Period {
        Period::quarter(self.fy().financial_year_of(), n)
    }

    fn say(&mut self, when: NaiveDate, what: &str) -> CliResult {
        let line = format!("  {}  {what}", when.format("%e %b %Y"));
        self.bar.suspend(|| writeln!(self.out, "{line}"))?;
        Ok(())
    }

    fn first_value(
        measure: &ValidMeasure,
        period: &Period,
        value: &RecordedValue,
    ) -> RecordedValue {
        let reference = measure.definition.measure_ref.as_str();
        RESTATEMENTS
            .iter()
            .find(|r| {
                r.measure == reference && Period::parse(r.period).ok().as_ref() == Some(period)
            })
            .map(|r| RecordedValue::parse(r.first).expect("restatement figures are values"))
            .unwrap_or_else(|| value.clone())
    }

    fn values_in(&self, measure: &ValidMeasure, keep: impl Fn(&Period) -> bool) -> Vec<Command> {
        let fy = self.fy().financial_year_of();
        let reference = measure.definition.measure_ref.as_str();
        measure
            .values
            .iter()
            .filter(|(period, _)| keep(period))
            .map(|(period, value)| Command::RecordValue {
                period: *period,
                value: Self::first_value(measure, period, value),
                quality: entered_quality(fy, reference, period),
            })
            .collect()
    }

    async fn run(
        &mut self,
        actor: &Actor,
        measure: &ValidMeasure,
        commands: &[Command],
        reason: Option<&str>,
    ) -> CliResult {
        if commands.is_empty() {
            return Ok(());
        }
        self.app
            .execute_as(
                actor,
                &measure.measure_id.stream(),
                Some(self.sample.plan.plan_id),
                commands,
                reason.map(str::to_owned),
                None,
            )
            .await?;
        self.bar.inc(1);
        Ok(())
    }

    async fn plan_approved(&mut self) -> CliResult {
        self.clock.set(at(2016, 7, 13, 18));
        let plan = self.sample.plan.clone();
        self.app
            .execute_as(
                &performance(),
                &plan.plan_id.stream(),
                None,
                &[plan.define(RuleSet::default())],
                None,
                None,
            )
            .await?;
        let fy = self.fy();
        for measure in self.sample.measures.clone() {
            let mut definition = measure.definition.clone();
            if definition.lead_accountability.contains("Lubanski") {
                definition.lead_accountability = INTERIM_DIRECTOR.to_owned();
            }
            let reference = definition.measure_ref.to_string();
            let target = TARGET_CHANGES
                .iter()
                .find(|c| c.measure == reference)
                .map(|c| TargetSpec::parse(c.first).expect("demo targets parse"))
                .or(measure.target.clone());
            let mut commands = vec![Command::DefineMeasure {
                measure_id: measure.measure_id,
                definition,
                target: target.map(|t| (fy, t)),
            }];
            commands
                .extend(self.values_in(&measure, |p| matches!(p, Period::FinancialYear { .. })));
            self.run(&performance(), &measure, &commands, None).await?;
        }
        self.say(
            day(2016, 7, 13),
            &format!(
                "Council approves the {}: {} measures with targets and year-end outturns (Simon Dennis, performance team)",
                plan.name,
                self.sample.measures.len()
            ),
        )
    }

    async fn director_commences(&mut self) -> CliResult {
        self.clock.set(at(2016, 8, 9, 9));
        let mut count = 0;
        for measure in self.sample.measures.clone() {
            if !measure.definition.lead_accountability.contains("Lubanski") {
                continue;
            }
            let command = Command::AssignLeadAccountability {
                person: NEW_DIRECTOR.to_owned(),
                effective_from: day(2016, 8, 8),
            };
            self.run(
                &performance(),
                &measure,
                &[command],
                Some("New Strategic Director commenced 8 August 2016"),
            )
            .await?;
            count += 1;
        }
        self.say(
            day(2016, 8, 9),
            &format!("Anne Marie Lubanski becomes accountable for {count} measures, effective 8 August 2016"),
        )
    }

    async fn enter_quarter(&mut self, n: u8, entered: DateTime<Utc>) -> CliResult {
        self.clock.set(entered);
        let quarter = self.quarter(n);
        let months = quarter.months();
        let mut count = 0;
        for measure in self.sample.measures.clone() {
            let commands = self.values_in(&measure, |p| *p == quarter || months.contains(p));
            count += commands.len();
            let officer = officer_of(&measure);
            self.run(&officer, &measure, &commands, None).await?;
            self.clock.advance(chrono::Duration::minutes(7));
        }
        self.say(
            entered.date_naive(),
            &format!("lead officers enter {count} values for {quarter}"),
        )
    }

    /// Officer assessments: the pack's own for the quarter it printed; the rules'
    /// suggestions for earlier quarters (falling back to the printed status where the
    /// rules cannot decide, e.g. a "5% reduction on 2015-16" target).
    async fn assess_quarter(
        &mut self,
        n: u8,
        assessed: DateTime<Utc>,
        published: bool,
    ) -> CliResult {
        self.clock.set(assessed);
        let quarter = self.quarter(n);
        let rules = RuleSet::default();
        for measure in self.sample.measures.clone() {
            let (computed_status, computed_direction) = Self::suggest(&measure, quarter, &rules);
            let revised_later = REASSESSMENTS
                .iter()
                .find(|r| published && r.measure == measure.definition.measure_ref.as_str());
            let (status, direction) = if let Some(first) = revised_later {
                (first.first_status, first.first_direction)
            } else if published {
                (
                    measure.status.unwrap_or(Status::NotYetAvailable),
                    measure.direction.unwrap_or(Direction::NotApplicable),
                )
            } else {
                (
                    computed_status
                        .or(measure.status)
                        .unwrap_or(Status::NotYetAvailable),
                    computed_direction,
                )
            };
            let mut commands = assessment(quarter, (status, direction));
            let note = if published {
                measure.note.clone()
            } else {
                EARLIER_NOTES
                    .iter()
                    .find(|e| {
                        e.quarter == n && e.measure == measure.definition.measure_ref.as_str()
                    })
                    .map(|e| e.text.to_owned())
            };
            if let Some(text) = note {
                commands.push(Command::EditCommentary {
                    period: quarter,
                    text,
                });
            }
            self.run(&performance(), &measure, &commands, None).await?;
        }
        self.say(
            assessed.date_naive(),
            &format!("performance team assesses status and direction of travel for {quarter}"),
        )?;
        if published {
            self.reassess(quarter, assessed).await?;
        }
        Ok(())
    }

    /// What the rules suggest for `quarter`, from the values as first entered.
    fn suggest(
        measure: &ValidMeasure,
        quarter: Period,
        rules: &RuleSet,
    ) -> (Option<Status>, Direction) {
        let values: BTreeMap<Period, RecordedValue> = measure
            .values
            .iter()
            .map(|(p, v)| (*p, Self::first_value(measure, p, v)))
            .collect();
        suggestions(measure, &values, &quarter, rules)
    }

    /// Revises the assessments the pack says were revised, to the printed ones, with a reason.
    async fn reassess(&mut self, quarter: Period, assessed: DateTime<Utc>) -> CliResult {
        for r in REASSESSMENTS {
            self.clock.set(assessed + chrono::Duration::hours(6));
            let measure = self.find(r.measure)?;
            let status = measure.status.unwrap_or(Status::NotYetAvailable);
            let direction = measure.direction.unwrap_or(Direction::NotApplicable);
            let commands = assessment(quarter, (status, direction));
            self.run(&performance(), &measure, &commands, Some(r.reason))
                .await?;
            self.say(
                (assessed + chrono::Duration::hours(6)).date_naive(),
                &format!(
                    "{}: {quarter} status {} → {status}, direction {} → {direction} ({})",
                    r.measure, r.first_status, r.first_direction, r.reason
                ),
            )?;
        }
        Ok(())
    }

    async fn publish(&mut self, n: u8, on: NaiveDate, meeting: &str) -> CliResult<(String, u64)> {
        self.clock
            .set(Utc.from_utc_datetime(&on.and_hms_opt(8, 0, 0).expect("valid time")));
        let quarter = self.quarter(n);
        let (sha256, position) = publish(&self.app, quarter, meeting, on).await?;
        self.bar.inc(1);
        self.say(
            on,
            &format!(
                "{quarter} report published to {meeting}; sha256 {}…",
                &sha256[..16]
            ),
        )?;
        Ok((sha256, position))
    }

    async fn change_targets(&mut self) -> CliResult {
        self.clock.set(at(2016, 10, 3, 10));
        for change in TARGET_CHANGES {
            let measure = self.find(change.measure)?;
            let command = Command::SetTarget {
                period: self.fy(),
                target: TargetSpec::parse(change.then).expect("demo targets parse"),
            };
            self.run(&performance(), &measure, &[command], Some(change.reason))
                .await?;
        }
        let changed: Vec<&str> = TARGET_CHANGES.iter().map(|c| c.measure).collect();
        self.say(
            day(2016, 10, 3),
            &format!("targets changed with reasons: {}", changed.join(", ")),
        )
    }

    async fn restate(&mut self, from: (i32, u32, u32), to: (i32, u32, u32)) -> CliResult {
        for r in RESTATEMENTS.iter().filter(|r| r.on >= from && r.on <= to) {
            self.clock.set(at(r.on.0, r.on.1, r.on.2, 11));
            let measure = self.find(r.measure)?;
            let command = Command::ReviseValue {
                period: Period::parse(r.period).expect("demo periods parse"),
                value: RecordedValue::parse(r.then).expect("demo values parse"),
                classification: r.classification,
                quality: DataQuality::default(),
            };
            let actor = Actor::new(r.by.0, r.by.1, r.by.2);
            self.run(&actor, &measure, &[command], Some(r.reason))
                .await?;
            self.say(
                day(r.on.0, r.on.1, r.on.2),
                &format!(
                    "{} revises {} {}: {} → {} ({})",
                    r.by.1, r.measure, r.period, r.first, r.then, r.reason
                ),
            )?;
        }
        Ok(())
    }

    /// Confirms the values [`CONFIRMATIONS`] lists as they stand, once validated.
    async fn confirm_values(&mut self) -> CliResult {
        for c in CONFIRMATIONS {
            self.clock.set(at(c.on.0, c.on.1, c.on.2, 10));
            let measure = self.find(c.measure)?;
            let quarter = self.quarter(c.quarter);
            let command = Command::ConfirmValue {
                period: quarter,
                quality: DataQuality {
                    quality: Quality::Final,
                    source_system: Some(c.source.to_owned()),
                },
            };
            self.run(&performance(), &measure, &[command], Some(c.reason))
                .await?;
            self.say(
                day(c.on.0, c.on.1, c.on.2),
                &format!(
                    "{} {quarter}: the provisional figure confirmed by the {}",
                    c.measure, c.source
                ),
            )?;
        }
        Ok(())
    }

    /// 3.A1 (anti-social behaviour) is off target at Q3 and "the subject of a performance
    /// clinic at the next meeting of the Safer Rotherham Partnership Board on 13th February
    /// 2017" [002:2010]; the pack records no outcome, so the clinic stays called.
    async fn asb_clinic(&mut self) -> CliResult {
        self.clock.set(at(2017, 1, 20, 10));
        let measure = self.find("3.A1")?;
        let on = day(2017, 2, 13);
        let command = Command::CallClinic {
            on,
            chair: "Safer Rotherham Partnership Board".to_owned(),
        };
        let reason =
            "ASB year to date 6% above Q1 - Q3 last year; a year-end reduction of 5% is unlikely";
        self.run(&performance(), &measure, &[command], Some(reason))
            .await?;
        self.say(
            day(2017, 1, 20),
            &format!(
                "3.A1: a performance clinic called for {on} (Safer Rotherham Partnership Board)"
            ),
        )
    }

    /// The performance team writes Appendix A's narrative for the Q3 report after the
    /// scorecard went to Cabinet, quoting figures of its own ([`NARRATIVES`]).
    async fn appendix_a(&mut self) -> CliResult {
        self.clock.set(at(2017, 2, 6, 10));
        let quarter = self.quarter(3);
        for (reference, text) in NARRATIVES {
            let measure = self.find(reference)?;
            let command = Command::EditNarrative {
                period: quarter,
                text: (*text).to_owned(),
            };
            self.run(&performance(), &measure, &[command], None).await?;
        }
        self.say(
            day(2017, 2, 6),
            &format!(
                "Appendix A's narrative of {quarter} written for {} measures \
                 (scoreledger audit narrative -p \"{quarter}\")",
                NARRATIVES.len()
            ),
        )
    }

    /// Appendix A says of 1.C4 (b) that "additional staff were appointed in December 2016 and
    /// a series of actions are in place to improve matters for the final quarter", "as outlined
    /// in the Children and Young People's Services Improvement Plan" [002:662]. Illustrative:
    /// the pack prints no action plan, so the action is registered as that sentence words it,
    /// led by the measure's lead officer and due at the year's end.
    async fn camhs_action(&mut self) -> CliResult {
        self.clock.set(at(2017, 2, 6, 11));
        let measure = self.find("1.C4 (b)")?;
        let plan = "Children and Young People's Services Improvement Plan";
        let key_action = "Appoint additional CAMHS staff and put in place a series of actions to \
                          improve matters for the final quarter";
        let command = Command::RegisterAction {
            action_id: scoreledger_store::action_id_for(plan, key_action),
            plan: plan.to_owned(),
            objective: measure.definition.title.clone(),
            key_action: key_action.to_owned(),
            lead: measure.definition.lead_officer.clone(),
            target_date: "March 2017".to_owned(),
            measures: vec![measure.definition.measure_ref.clone()],
        };
        let stream = scoreledger_store::action_id_for(plan, key_action).stream();
        self.app
            .execute_as(&performance(), &stream, None, &[command], None, None)
            .await?;
        self.bar.inc(1);
        self.say(
            day(2017, 2, 6),
            "1.C4 (b): an improvement action registered from Appendix A (scoreledger action list)",
        )
    }

    /// The performance team marks the definition and source changes the Q3 scorecard's notes
    /// report ([`BASIS_CHANGES`]), after the OSMB, as reported in the scorecard of 13 January.
    async fn basis_changes(&mut self) -> CliResult {
        self.clock.set(at(2017, 2, 20, 8));
        self.app.reported = Some(q3_scorecard());
        for change in BASIS_CHANGES {
            let measure = self.find(change.reference)?;
            let command = Command::RecordBasisChange {
                kind: change.kind,
                from: Period::parse(change.from).map_err(Failed::rejected)?,
                note: change.note.to_owned(),
                restated: change.restated,
            };
            self.run(&performance(), &measure, &[command], None).await?;
        }
        self.app.reported = None;
        self.say(
            day(2017, 2, 20),
            &format!(
                "{} changes of definition or source marked, as the Q3 scorecard reported them \
                 (scoreledger audit comparability)",
                BASIS_CHANGES.len()
            ),
        )
    }

    /// The performance team records the Liquid Logic refresh the Q3 notes announce ("all
    /// performance data will be refreshed for the end of Qtr 4/outturn report" [002:1918]), as
    /// reported on 13 January, so `audit refresh` can follow the figures to the outturn.
    async fn refresh_announced(&mut self) -> CliResult {
        self.clock.set(at(2017, 2, 20, 9));
        self.app.reported = Some(q3_scorecard());
        let liquid_logic = FLAGGED
            .iter()
            .find(|f| f.source == "Liquid Logic")
            .ok_or_else(|| Failed::rejected("the demo's flags name no Liquid Logic figures"))?;
        let quarter = self.quarter(liquid_logic.quarter);
        for reference in liquid_logic.measures {
            let measure = self.find(reference)?;
            let command = Command::AnnounceRefresh {
                period: quarter,
                due: self.quarter(4),
                note: "All performance shown for 2016-17 has now been taken from the new liquid \
                       logic social care system which is still in the process of being embedded \
                       within the service. Data validation work is still ongoing within the \
                       service, therfore all performance data will be refreshed for the end of \
                       Qtr 4/outturn report."
                    .to_owned(),
            };
            self.run(&performance(), &measure, &[command], None).await?;
        }
        self.app.reported = None;
        self.say(
            day(2017, 2, 20),
            &format!(
                "{} {quarter} figures from {} announced for a refresh for the outturn report \
                 (scoreledger audit refresh)",
                liquid_logic.measures.len(),
                liquid_logic.source
            ),
        )
    }

    /// The Overview and Scrutiny Management Board of 17 February 2017 pre-scrutinises the Q3
    /// report (its agenda [002:1-38]; none of it was exempt, and the pack records no decision).
    async fn osmb_meeting(&mut self, q3_position: u64) -> CliResult {
        let held_on = day(2017, 2, 17);
        self.clock.set(at(2017, 2, 17, 9));
        let body = "Overview and Scrutiny Management Board";
        let q3 = projections::all_publications(self.app.read())
            .await?
            .into_iter()
            .find(|p| p.position == q3_position as i64)
            .and_then(|p| p.report_id.parse().ok().map(ReportId))
            .ok_or_else(|| Failed::rejected(format!("no publication at position {q3_position}")))?;
        let meeting_id = scoreledger_store::meeting_id_for(body, held_on);
        let item = |item: &str, title: &str, report_id| Command::AddAgendaItem {
            item: item.to_owned(),
            title: title.to_owned(),
            report_id,
            exempt_paragraph: None,
        };
        let commands = [
            Command::RecordMeeting {
                meeting_id,
                body: body.to_owned(),
                held_on,
            },
            item("2", "To consider whether the press and public should be excluded from the meeting during consideration of any part of the agenda", None),
            item("7", "2016/17 Corporate Plan Quarter 3 Performance Report", Some(q3)),
            item("14", "Call-in Issues - to consider any issues referred for call-in", None),
        ];
        self.app
            .execute_as(
                &performance(),
                &meeting_id.stream(),
                None,
                &commands,
                None,
                None,
            )
            .await?;
        self.bar.inc(1);
        self.say(
            held_on,
            &format!("{body}: the Q3 report is item 7 of its agenda (pre-scrutiny)"),
        )
    }

    fn find(&self, reference: &str) -> CliResult<ValidMeasure> {
        self.sample
            .measures
            .iter()
            .find(|m| m.definition.measure_ref.as_str() == reference)
            .cloned()
            .ok_or_else(|| Failed::rejected(format!("the sample has no measure {reference}")))
    }
}

fn check_summary(report: &QuarterReport) -> (bool, String) {
    let status: Vec<u64> = report
        .summary
        .status
        .iter()
        .map(|t| t.share.count)
        .collect();
    let direction: Vec<u64> = report
        .summary
        .direction
        .iter()
        .map(|t| t.share.count)
        .collect();
    let printed = |v: &[u64]| v.iter().map(u64::to_string).collect::<Vec<_>>().join("/");
    let matches = status == PUBLISHED_STATUS && direction == PUBLISHED_DIRECTION;
    (
        matches,
        format!(
            "statuses {} and directions {} {} the pack's {} and {}",
            printed(&status),
            printed(&direction),
            if matches { "match" } else { "DO NOT match" },
            printed(&PUBLISHED_STATUS),
            printed(&PUBLISHED_DIRECTION)
        ),
    )
}

/// A fresh log for a demo, and where it is.
pub(crate) struct DemoLog {
    /// The temporary directory holding it, unless --keep named a path (removed when dropped).
    pub temporary: Option<tempfile::TempDir>,
    /// The SQLite file (log and read models, or the read models alone beside NATS).
    pub path: PathBuf,
    /// The read models' address as given (a path or a PostgreSQL URL).
    pub db: String,
    /// Whether the read models are on PostgreSQL.
    pub postgres: bool,
    /// Where the log and read models are.
    pub settings: Settings,
    /// The log opened on `clock`, as the performance team.
    pub app: App,
    /// How the log is described to the reader.
    pub log: String,
}

/// Opens an empty log for a demo: a temporary or `--keep` SQLite file, or with `store` =
/// `nats://…` a JetStream stream of its own, and read models in `db` if it is PostgreSQL.
pub(crate) async fn open(
    args: &DemoArgs,
    store: Option<&str>,
    db: &str,
    clock: Arc<ManualClock>,
) -> CliResult<DemoLog> {
    let (temporary, path): (Option<tempfile::TempDir>, PathBuf) = match &args.keep {
        Some(path) if path.exists() => {
            return Err(Failed::rejected(format!(
                "{} already exists; the demo writes a fresh database, so choose another path",
                path.display()
            )))
        }
        Some(path) => (None, path.clone()),
        None => {
            let dir = tempfile::tempdir()?;
            let path = dir.path().join("demo.db");
            (Some(dir), path)
        }
    };
    let postgres = db.starts_with("postgres://") || db.starts_with("postgresql://");
    let db = if postgres {
        db.to_owned()
    } else {
        path.display().to_string()
    };
    let settings = match store {
        Some(url) => {
            // A stream of its own: the demo needs an empty log, and a shared server may hold others.
            let run = ids::fresh().simple().to_string()[..12].to_owned();
            settings(
                &db,
                Some(url),
                &NatsOptions::named(
                    &format!("SCORELEDGER_DEMO_{run}"),
                    &format!("scoreledger-demo-{run}"),
                ),
            )?
        }
        None => settings(&db, None, &NatsOptions::named("SCORELEDGER", "scoreledger"))?,
    };
    let app = App::open_with_clock(&settings, performance(), clock).await?;
    if app.head().await? != Position(0) {
        return Err(Failed::rejected(
            "the demo needs an empty log; choose a new --keep path",
        ));
    }
    let log = match &settings.store {
        StoreLocation::Sqlite(path) => format!("SQLite {}", path.display()),
        StoreLocation::Nats { url, stream, .. } => {
            format!(
                "NATS {url} (stream {stream}), read models in {}",
                scoreledger_store::redacted(&db)
            )
        }
    };
    Ok(DemoLog {
        temporary,
        path,
        db,
        postgres,
        settings,
        app,
        log,
    })
}

/// Runs the demo, writing everything to `out`. With `store` = `nats://…` the log goes to a
/// fresh JetStream stream of its own on that server; with `db` = `postgres://…` the read
/// models go to that (empty) database, otherwise to a temporary or `--keep` SQLite file.
pub async fn run(args: &DemoArgs, store: Option<&str>, db: &str, out: &mut dyn Write) -> CliResult {
    if args.notice_2010 {
        return crate::demo_2010::run(args, store, db, out).await;
    }
    let sample = parse_json(SAMPLE_2016_17)
        .and_then(|file| file.validate(Numbering::Measures))
        .map_err(Failed::rejected)?;
    let clock = Arc::new(ManualClock::new(at(2016, 7, 13, 9)));
    let DemoLog {
        temporary,
        path,
        db,
        postgres,
        settings,
        app,
        log,
    } = open(args, store, db, clock.clone()).await?;
    writeln!(
        out,
        "Scoreledger demo: {} (Rotherham MBC sample), replayed on a simulated clock into {log}\n",
        sample.plan.name,
    )?;
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("  {spinner} {pos} commits appended")
            .expect("static progress template"),
    );
    let mut story = Story {
        app,
        clock,
        sample,
        out,
        bar,
    };
    story.plan_approved().await?;
    story.director_commences().await?;
    story.enter_quarter(1, at(2016, 8, 15, 9)).await?;
    story.assess_quarter(1, at(2016, 8, 30, 9), false).await?;
    story
        .publish(
            1,
            day(2016, 9, 12),
            "Cabinet and Commissioners' Decision Making Meeting",
        )
        .await?;
    story.change_targets().await?;
    story.enter_quarter(2, at(2016, 10, 17, 9)).await?;
    story.assess_quarter(2, at(2016, 10, 31, 9), false).await?;
    let (q2_sha, q2_position) = story
        .publish(
            2,
            day(2016, 11, 14),
            "Cabinet and Commissioners' Decision Making Meeting",
        )
        .await?;
    story.restate((2016, 11, 15), (2016, 12, 31)).await?;
    story.enter_quarter(3, at(2017, 1, 4, 9)).await?;
    story.assess_quarter(3, at(2017, 1, 12, 9), true).await?;
    let (q3_sha, q3_position) = story
        .publish(
            3,
            day(2017, 1, 13),
            "Cabinet and Commissioners' Decision Making Meeting",
        )
        .await?;
    story.confirm_values().await?;
    story.asb_clinic().await?;
    story.appendix_a().await?;
    story.camhs_action().await?;
    story.osmb_meeting(q3_position).await?;
    story.basis_changes().await?;
    story.refresh_announced().await?;
    story.bar.finish_and_clear();
    let Story {
        app, out, sample, ..
    } = story;
    let (app, signing) = sign(app, &settings, &path, out).await?;
    app.catch_up().await?;
    let head = app.head().await?;
    writeln!(out, "\n  {head} commits in the log.\n")?;

    // The Q3 report as published.
    let q3 = Period::quarter(sample.plan.financial_year.financial_year_of(), 3);
    let q3_cut_off = cut_off(&app, sample.plan.plan_id, q3_position).await?;
    let q3_report = build(&app, q3, q3_cut_off).await?;
    writeln!(
        out,
        "━━ The {q3} report as published on 13 January 2017 ━━\n"
    )?;
    write!(out, "{}", render::summary_table(&q3_report))?;
    let (matches, check) = check_summary(&q3_report);
    writeln!(out, "{} {check}", if matches { "✓" } else { "✗" })?;
    writeln!(
        out,
        "{} rebuilt at position {q3_cut_off}: sha256 {} {} the published {}",
        if q3_report.sha256() == q3_sha {
            "✓"
        } else {
            "✗"
        },
        q3_report.sha256(),
        if q3_report.sha256() == q3_sha {
            "equals"
        } else {
            "DIFFERS from"
        },
        q3_sha
    )?;

    // Q2 as published next to Q2 as known now.
    let q2 = Period::quarter(sample.plan.financial_year.financial_year_of(), 2);
    let q2_cut_off = cut_off(&app, sample.plan.plan_id, q2_position).await?;
    let q2_then = build(&app, q2, q2_cut_off).await?;
    writeln!(
        out,
        "\n━━ {q2}: as published on 14 November 2016, and as known now ━━\n"
    )?;
    writeln!(
        out,
        "{} rebuilt at position {q2_cut_off}: sha256 {} the published {}…",
        if q2_then.sha256() == q2_sha {
            "✓"
        } else {
            "✗"
        },
        if q2_then.sha256() == q2_sha {
            "equals"
        } else {
            "DIFFERS from"
        },
        &q2_sha[..16]
    )?;
    let publication = projections::all_publications(app.read())
        .await?
        .into_iter()
        .find(|p| p.position == q2_position as i64)
        .ok_or_else(|| Failed::rejected(format!("no publication at position {q2_position}")))?;
    let restated = restated::restated(&app, publication, head).await?;
    writeln!(out, "{}", restated::table(&restated))?;
    writeln!(
        out,
        "{} cells of the published Q2 report read differently today (scoreledger report diff \"Q2 2016/17\").",
        restated.restatements.len()
    )?;

    // One measure's history.
    let measure_ref =
        scoreledger_domain::MeasureRef::parse(&args.measure).map_err(Failed::rejected)?;
    let measure_history = projections::history(
        app.read(),
        &HistoryFilter {
            measure_ref: Some(measure_ref.to_string()),
            ..HistoryFilter::default()
        },
    )
    .await?;
    writeln!(out, "\n━━ History of {measure_ref} ━━\n")?;
    writeln!(out, "{}", history::table(&measure_history))?;
    // The read models outlive the demo when kept or in PostgreSQL; say how to come back to them.
    let store = match &settings.store {
        StoreLocation::Nats {
            url,
            stream,
            prefix,
            ..
        } => format!(
            " --store {url} --nats-stream {stream} --nats-prefix {prefix} --signing-key {} --checkpoints {}",
            signing.key_file.as_deref().unwrap_or(Path::new("")).display(),
            signing.checkpoints.as_deref().unwrap_or(Path::new("")).display()
        ),
        StoreLocation::Sqlite(_) => String::new(),
    };
    if temporary.is_some() && !postgres {
        writeln!(
            out,
            "\nThe demo database was temporary. Keep one to explore: scoreledger demo --keep demo.db, then\n  \
             scoreledger --db demo.db report show \"Q3 2016/17\"\n  \
             scoreledger --db demo.db report diff \"Q2 2016/17\"\n  \
             scoreledger --db demo.db explain -m 2.B1 -p \"Q2 2016/17\"\n  \
             scoreledger --db demo.db history --measure 1.A3\n  \
             scoreledger --db demo.db serve      # the web pages and the API on http://127.0.0.1:8080"
        )?;
    } else {
        // Passwords stay out of the printed command lines: the reader puts their own back.
        let cli = format!(
            "scoreledger{store} --db {}",
            scoreledger_store::redacted(&db)
        );
        writeln!(
            out,
            "\nExplore it: {cli} report diff \"Q2 2016/17\"\n  \
             {cli} explain -m 2.B1 -p \"Q2 2016/17\"\n  \
             {cli} history --measure 1.A3\n  \
             {cli} --role admin token create --for audit --holder \"Internal Audit\" --as auditor\n  \
             {cli} serve      # then open http://127.0.0.1:8080 and sign in with that token"
        )?;
    }
    if !matches {
        return Err(Failed::rejected(
            "the rebuilt Q3 summary does not match the published pack",
        ));
    }
    drop(temporary);
    Ok(())
}

/// The cut-off recorded by the publication appended at `published_at`.
async fn cut_off(
    app: &App,
    plan_id: scoreledger_domain::PlanId,
    published_at: u64,
) -> CliResult<Position> {
    let head = app.head().await?;
    projections::publications(app.read(), plan_id, head)
        .await?
        .into_iter()
        .find(|p| p.position == published_at as i64)
        .map(|p| Position(p.cut_off as u64))
        .ok_or_else(|| Failed::rejected(format!("no publication at position {published_at}")))
}

/// Gives the demo's log its signing key (mode 0600, beside an embedded database; for a log on
/// NATS, which outlives the demo, in the system's temporary directory named after its stream)
/// and signs a checkpoint over the whole history, exported beside the key: `scoreledger
/// verify` then checks signatures and the Merkle tree as well. The key comes after the history
/// so the history's positions are those of every earlier demo (and of the golden reports).
async fn sign(
    app: App,
    settings: &Settings,
    path: &Path,
    out: &mut dyn Write,
) -> CliResult<(App, Signing)> {
    let key = LogKey::generate("scoreledger.demo/rotherham").map_err(Failed::rejected)?;
    let beside = match &settings.store {
        StoreLocation::Sqlite(_) => path.to_owned(),
        StoreLocation::Nats { stream, .. } => std::env::temp_dir().join(stream),
    };
    let key_file = beside.with_extension("key");
    write_key(&key_file, &key)?;
    let signing = Signing {
        key: Some(Arc::new(key.clone())),
        key_file: Some(key_file.clone()),
        checkpoints: Some(beside.with_extension("checkpoints")),
    };
    // After the story's last event: a key recorded earlier than the commits before it would
    // make `--as-at` of a day between the two resolve past them.
    let clock = Arc::new(ManualClock::new(at(2017, 2, 20, 9)));
    let app = App::open_signed(settings, app.actor.clone(), clock, signing.clone()).await?;
    let admin = Actor::new("it.admin", "IT Administrator", Role::Admin);
    keys::add_key(&*app.store, key.public(), None, admin, None).await?;
    let said = crate::commands::keys::record(&app).await?;
    writeln!(
        out,
        "\n  The log signs with {} (private key {}).\n  {said}",
        key.public().id(),
        key_file.display()
    )?;
    Ok((app, signing))
}
