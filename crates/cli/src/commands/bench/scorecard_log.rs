//! A generated scorecard log, as a council's performance team writes one quarter after quarter:
//! a plan with its priorities and outcomes, measures with their targets, then month after
//! month a value for every measure, and at each quarter's end the quarter's value, status,
//! direction and data note, with a share of earlier months revised. Events are written
//! straight to the store in batches: the write path is not what these workloads measure.

use indicatif::{ProgressBar, ProgressStyle};
use rust_decimal::Decimal;

use scoreledger_domain::target::TargetSpec;
use scoreledger_domain::{
    Actor, DataQuality, Direction, DomainEvent, Frequency, MeasureDefinition, MeasureId,
    MeasureRef, Period, PlanId, Polarity, RecordedValue, RevisionClass, Role, Status, StatusScheme,
    StreamId, ValueKind,
};
use scoreledger_store::{
    new_id, EventStore, ExecuteError, ExpectedVersion, NewCommit, SqliteStore, StreamVersion,
};

/// A plan of 2016/17 and its measures, as [`define_plan`] wrote them.
pub(super) struct DefinedPlan {
    pub plan_id: PlanId,
    /// Each measure's id and reference, in the order defined.
    pub measures: Vec<(MeasureId, String)>,
}

/// Defines a plan of 2016/17 with `measures` measures (targets set, nothing recorded yet):
/// what the append workload writes to.
pub(super) async fn define_plan(store: &dyn EventStore, measures: usize) -> CliResult<DefinedPlan> {
    let team = Actor::new("bench", "Performance team", Role::Performance);
    let plan_id = PlanId(new_id());
    let mut plan = Stream {
        id: plan_id.stream(),
        version: 0,
    };
    let mut pending = vec![plan.commit(&team, plan_events(plan_id))];
    let mut defined = Vec::with_capacity(measures);
    for n in 0..measures {
        let measure_id = MeasureId(new_id());
        let mut stream = Stream {
            id: measure_id.stream(),
            version: 0,
        };
        let events = measure_events(plan_id, measure_id, n);
        if let Some(DomainEvent::MeasureDefined { definition, .. }) = events.first() {
            defined.push((measure_id, definition.ref_as_printed.clone()));
        }
        pending.push(stream.commit(&team, events));
    }
    let mut written = Generated {
        commits: 0,
        events: 0,
    };
    while !pending.is_empty() {
        let rest = pending.split_off(pending.len().min(BATCH));
        write(store, &mut pending, &mut written).await?;
        pending = rest;
    }
    Ok(DefinedPlan {
        plan_id,
        measures: defined,
    })
}

use crate::failure::CliResult;

/// Measures in the plan: a large council's scorecard.
pub(super) const MEASURES: usize = 500;
/// Commits appended per transaction while generating.
const BATCH: usize = 1000;
/// Every how many measures one has its previous month revised each month.
const REVISED_EVERY: usize = 10;

/// What was generated.
pub(super) struct Generated {
    /// Commits in the log.
    pub commits: u64,
    /// Events in them.
    pub events: u64,
}

/// One stream's next commit.
struct Stream {
    id: StreamId,
    version: u64,
}

impl Stream {
    fn commit(&mut self, actor: &Actor, events: Vec<DomainEvent>) -> NewCommit {
        let commit = NewCommit::new(
            self.id.clone(),
            ExpectedVersion::Exact(StreamVersion(self.version)),
            actor.clone(),
            events,
        );
        self.version += commit.events.len() as u64;
        commit
    }
}

/// Writes a scorecard log of at least `events` events into `store`.
pub(super) async fn generate(store: &SqliteStore, events: u64, show: bool) -> CliResult<Generated> {
    let team = Actor::new("bench", "Performance team", Role::Performance);
    let plan_id = PlanId(new_id());
    let mut plan = Stream {
        id: plan_id.stream(),
        version: 0,
    };
    let mut pending = vec![plan.commit(&team, plan_events(plan_id))];
    let mut measures: Vec<Stream> = (0..MEASURES)
        .map(|n| {
            let measure_id = MeasureId(new_id());
            let mut stream = Stream {
                id: measure_id.stream(),
                version: 0,
            };
            pending.push(stream.commit(&team, measure_events(plan_id, measure_id, n)));
            stream
        })
        .collect();
    let bar = if show {
        ProgressBar::new(events)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} generating [{bar:40}] {pos}/{len} events")
            .expect("static progress template")
            .progress_chars("=> "),
    );
    let mut written = Generated {
        commits: 0,
        events: 0,
    };
    // Months from April 2016 on, as many as it takes.
    let mut month = 0_u32;
    while written.events + count(&pending) < events {
        let (year, number) = (2016 + ((month + 3) / 12) as i32, (month + 3) % 12 + 1);
        let period = Period::month(year, number as u8);
        let quarter_ends = number % 3 == 0;
        for (n, measure) in measures.iter_mut().enumerate() {
            let amount = Decimal::from(40 + ((n as u32 * 7 + month * 3) % 50));
            pending.push(measure.commit(
                &team,
                vec![DomainEvent::ValueRecorded {
                    period,
                    value: value(amount),
                    quality: DataQuality::default(),
                }],
            ));
            if month > 0 && n % REVISED_EVERY == (month as usize) % REVISED_EVERY {
                let before = previous_month(period);
                let old = Decimal::from(40 + ((n as u32 * 7 + (month - 1) * 3) % 50));
                pending.push(measure.commit(
                    &team,
                    vec![DomainEvent::ValueRevised {
                        period: before,
                        old: value(old),
                        new: value(old + Decimal::ONE),
                        classification: RevisionClass::LateData,
                        quality: DataQuality::default(),
                    }],
                ));
            }
            if quarter_ends {
                let quarter = quarter_of(year, number);
                pending.push(measure.commit(&team, quarter_events(quarter, amount, n)));
            }
            if pending.len() >= BATCH {
                write(store, &mut pending, &mut written).await?;
                bar.set_position(written.events);
            }
        }
        month += 1;
    }
    write(store, &mut pending, &mut written).await?;
    bar.finish_and_clear();
    Ok(written)
}

async fn write(
    store: &dyn EventStore,
    pending: &mut Vec<NewCommit>,
    written: &mut Generated,
) -> CliResult {
    if pending.is_empty() {
        return Ok(());
    }
    written.events += count(pending);
    written.commits += pending.len() as u64;
    store
        .append_all(std::mem::take(pending))
        .await
        .map_err(ExecuteError::from)?;
    Ok(())
}

fn count(commits: &[NewCommit]) -> u64 {
    commits.iter().map(|c| c.events.len() as u64).sum()
}

fn plan_events(plan_id: PlanId) -> Vec<DomainEvent> {
    let mut events = vec![DomainEvent::PlanDefined {
        plan_id,
        name: "Corporate Plan 2016/17 (generated)".into(),
        financial_year: Period::financial_year(2016),
        status_scheme: StatusScheme::Corporate2016,
        approved_on: None,
        approved_by: None,
    }];
    for priority in 1..=5 {
        events.push(DomainEvent::PriorityDefined {
            number: priority,
            title: format!("Priority {priority}"),
        });
        for letter in ["A", "B", "C"] {
            events.push(DomainEvent::OutcomeDefined {
                priority,
                letter: letter.into(),
                title: format!("Outcome {priority}.{letter}"),
            });
        }
    }
    events
}

fn measure_events(plan_id: PlanId, measure_id: MeasureId, n: usize) -> Vec<DomainEvent> {
    let priority = (n % 5) as u8 + 1;
    let outcome = ["A", "B", "C"][(n / 5) % 3];
    let reference = format!("{priority}.{outcome}{}", n / 15 + 1);
    let polarity = if n.is_multiple_of(2) {
        Polarity::High
    } else {
        Polarity::Low
    };
    vec![
        DomainEvent::MeasureDefined {
            measure_id,
            definition: MeasureDefinition {
                plan_id,
                measure_ref: MeasureRef::parse(&reference).expect("generated refs are valid"),
                ref_as_printed: reference.clone(),
                priority,
                outcome: outcome.into(),
                action: format!("Action for {reference}"),
                title: format!("Measure {reference}"),
                priority_measure: n.is_multiple_of(4),
                lead_officer: "Lead Officer".into(),
                directorate: "CYPS".into(),
                lead_accountability: "Strategic Director".into(),
                polarity,
                polarity_text: polarity.to_string(),
                frequency: Frequency::Monthly,
                frequency_text: "Monthly".into(),
                value_kind: ValueKind::PointInTime,
                status_scheme: StatusScheme::Corporate2016,
                baseline: String::new(),
            },
        },
        DomainEvent::TargetSet {
            period: Period::financial_year(2016),
            target: TargetSpec::parse("60%").expect("a target"),
        },
    ]
}

fn quarter_events(quarter: Period, amount: Decimal, n: usize) -> Vec<DomainEvent> {
    let status = [Status::OnTarget, Status::Satisfactory, Status::OffTarget][n % 3];
    vec![
        DomainEvent::ValueRecorded {
            period: quarter,
            value: value(amount),
            quality: DataQuality::default(),
        },
        DomainEvent::StatusAssessed {
            period: quarter,
            status,
            computed: Some(status),
            rule_set_version: 1,
        },
        DomainEvent::DirectionAssessed {
            period: quarter,
            direction: Direction::Improved,
            computed: Some(Direction::Improved),
        },
        DomainEvent::CommentaryEdited {
            period: quarter,
            text: format!("{amount}% this quarter; the service expects the trend to hold."),
        },
    ]
}

fn value(amount: Decimal) -> RecordedValue {
    RecordedValue::parse(&format!("{amount}%")).expect("a generated value parses")
}

fn previous_month(period: Period) -> Period {
    let start = period.start_date() - chrono::Duration::days(1);
    Period::month(
        chrono::Datelike::year(&start),
        chrono::Datelike::month(&start) as u8,
    )
}

/// The quarter of the financial year ending in `month` of `year`.
fn quarter_of(year: i32, month: u32) -> Period {
    let fy = if month <= 3 { year - 1 } else { year };
    let quarter = match month {
        6 => 1,
        9 => 2,
        12 => 3,
        _ => 4,
    };
    Period::quarter(fy, quarter)
}
