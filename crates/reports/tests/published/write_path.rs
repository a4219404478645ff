//! Changes are judged as the one write path (`scoreledger_service::submit`) judges them:
//! a change to a measure carries the plan's locks and how far the plan has published, a lock goes to the plan's stream (`scoreledger lock`), and a
//! publication freezes the report built at the caught-up head (`scoreledger publish`).
//! A request that left `locked` or `published_through` empty would check nothing.

use chrono::Duration;
use scoreledger_domain::event::ReportKind;
use scoreledger_domain::{
    Actor, Command, Period, PlanId, Polarity, Position, ReportId, RuleSet, StatusScheme, StreamId,
};
use scoreledger_projections::{drain, published_through};
use scoreledger_reports::QuarterReport;
use scoreledger_store::{load, Appended, ExecuteError, Request};
use scoreledger_testkit::pair::Pair;
use scoreledger_testkit::write::run_command;
use scoreledger_testkit::{
    lead_officer, measure_definition, measure_id, performance_officer, plan_id,
};

use crate::history::{quarter, Reason, Who, MEASURES, YEAR};
use crate::replay::report_at;

const PLAN: u128 = 1;

/// References in an order where natural and text order differ (1.A10 after 1.A2).
const REFERENCES: [&str; MEASURES] = ["1.A1", "1.A2", "1.A10"];

pub(crate) fn the_plan() -> PlanId {
    plan_id(PLAN)
}

fn actor(who: Who) -> Actor {
    match who {
        Who::Performance => performance_officer(),
        Who::Officer => lead_officer(),
    }
}

/// A request with neither locks nor publications, as the CLI sends for plan and report streams.
fn plain_request(who: Who, reason: Reason) -> Request {
    Request {
        actor: actor(who),
        reason: reason.text(),
        on_behalf_of: None,
        reported: None,
        commit_id: None,
        published_through: None,
        locked: Default::default(),
        plan_year: None,
        known_users: Vec::new(),
        outline: None,
        today: None,
        unreadable: None,
        rules: None,
    }
}

async fn run(
    db: &Pair,
    stream: &StreamId,
    command: &Command,
    request: &Request,
) -> Result<Appended, ExecuteError> {
    // Each commit a minute after the last, so history rows have distinct times.
    db.clock.advance(Duration::minutes(1));
    run_command(&*db.store, stream, command, request).await
}

/// Brings the read models up to the head of the log; returns the head.
pub(crate) async fn catch_up(db: &Pair) -> Position {
    drain(&*db.store, &db.read, 100, |_| {})
        .await
        .expect("the read models catch up")
}

/// Defines the 2016/17 plan and its measures; returns the measures' streams.
pub(crate) async fn define_plan_and_measures(db: &Pair) -> Vec<StreamId> {
    let plan = the_plan();
    let define_plan = Command::DefinePlan {
        plan_id: plan,
        name: "Corporate Plan 2016/17".into(),
        financial_year: Period::financial_year(YEAR),
        status_scheme: StatusScheme::Corporate2016,
        approved_on: None,
        approved_by: None,
        priorities: vec![(1, "Every child making the best start in life".into())],
        outcomes: vec![],
        rule_set: RuleSet::default(),
    };
    run(
        db,
        &plan.stream(),
        &define_plan,
        &plain_request(Who::Performance, Reason::None),
    )
    .await
    .expect("the plan is defined");
    let mut streams = Vec::new();
    for (n, reference) in REFERENCES.iter().enumerate() {
        let id = measure_id(100 + n as u128);
        let define = Command::DefineMeasure {
            measure_id: id,
            definition: measure_definition(plan, reference, Polarity::Low),
            target: None,
        };
        run(
            db,
            &id.stream(),
            &define,
            &plain_request(Who::Performance, Reason::None),
        )
        .await
        .expect("the measure is defined");
        streams.push(id.stream());
    }
    streams
}

/// Runs a change to a measure judged as `submit` judges it: the plan's locks from its stream
/// and how far it has published (here from the caught-up read models, which hold the same
/// publications as the reports' streams `submit` reads).
pub(crate) async fn change_measure(
    db: &Pair,
    stream: &StreamId,
    command: &Command,
    who: Who,
    reason: Reason,
) -> Result<Appended, ExecuteError> {
    catch_up(db).await;
    let plan = the_plan();
    let (state, _) = load(&*db.store, &plan.stream())
        .await
        .expect("the plan's stream loads");
    let request = Request {
        locked: state.plan().map(|p| p.locked.clone()).unwrap_or_default(),
        published_through: published_through(&db.read, plan)
            .await
            .expect("publications are readable"),
        ..plain_request(who, reason)
    };
    run(db, stream, command, &request).await
}

/// Locks (`lock = true`) or reopens a quarter, as `scoreledger lock` / `reopen` do.
pub(crate) async fn lock_or_reopen(
    db: &Pair,
    q: u8,
    lock: bool,
    who: Who,
    reason: Reason,
) -> Result<Appended, ExecuteError> {
    let period = quarter(q);
    let command = if lock {
        Command::LockPeriod { period }
    } else {
        Command::ReopenPeriod { period }
    };
    run(
        db,
        &the_plan().stream(),
        &command,
        &plain_request(who, reason),
    )
    .await
}

/// Publishes the report of quarter `q` as it stands at the head under `report_id`, as
/// `scoreledger publish` does; returns the outcome and the report that was published.
pub(crate) async fn publish(
    db: &Pair,
    q: u8,
    report_id: ReportId,
) -> (Result<Appended, ExecuteError>, QuarterReport) {
    let cut_off = catch_up(db).await;
    let period = quarter(q);
    let report = report_at(&db.read, period, cut_off).await;
    let command = Command::PublishReport {
        report_id,
        plan_id: the_plan(),
        kind: ReportKind::QuarterlyScorecard,
        period,
        cut_off,
        meeting: "Cabinet and Commissioners' Decision Making Meeting".into(),
        // The day after the quarter ends: the earliest a report of it may be published.
        published_on: period.end_date().succ_opt().expect("a date"),
        rule_set_version: report.rule_set_version,
        sha256: report.sha256(),
        parts: report.part_digests(),
    };
    let outcome = run(
        db,
        &report_id.stream(),
        &command,
        &plain_request(Who::Performance, Reason::None),
    )
    .await;
    catch_up(db).await;
    (outcome, report)
}
