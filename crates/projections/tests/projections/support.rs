use chrono::Duration;
use rust_decimal::Decimal;
use scoreledger_domain::target::TargetSpec;
use scoreledger_domain::{
    Actor, Command, DataQuality, Period, PlanId, Polarity, RecordedValue, StreamId,
};
use scoreledger_store::{Appended, ExecuteError, Request};
use scoreledger_testkit::pair::Pair;
use scoreledger_testkit::write::run_command;
use scoreledger_testkit::{measure_definition, measure_id, plan_id};

pub(crate) const PLAN: u128 = 1;

pub(crate) fn request(actor: Actor, reason: Option<&str>) -> Request {
    Request {
        actor,
        reason: reason.map(str::to_owned),
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

pub(crate) async fn run(
    db: &Pair,
    stream: &StreamId,
    command: Command,
    actor: Actor,
    reason: Option<&str>,
) -> Result<Appended, ExecuteError> {
    db.clock.advance(Duration::minutes(1));
    run_command(&*db.store, stream, &command, &request(actor, reason)).await
}

pub(crate) async fn define_plan(db: &Pair) -> PlanId {
    let plan = plan_id(PLAN);
    run(
        db,
        &plan.stream(),
        scoreledger_testkit::define_plan_2016(plan),
        scoreledger_testkit::performance_officer(),
        None,
    )
    .await
    .unwrap();
    plan
}

pub(crate) async fn define_measure(db: &Pair, n: u128, reference: &str, target: &str) -> StreamId {
    let plan = plan_id(PLAN);
    let id = measure_id(n);
    run(
        db,
        &id.stream(),
        Command::DefineMeasure {
            measure_id: id,
            definition: measure_definition(plan, reference, Polarity::Low),
            target: Some((
                Period::financial_year(2016),
                TargetSpec::parse(target).unwrap(),
            )),
        },
        scoreledger_testkit::performance_officer(),
        None,
    )
    .await
    .unwrap();
    id.stream()
}

pub(crate) fn value(raw: &str) -> RecordedValue {
    RecordedValue::parse(raw).unwrap()
}

pub(crate) fn record(period: Period, raw: &str) -> Command {
    Command::RecordValue {
        period,
        value: value(raw),
        quality: DataQuality::default(),
    }
}

#[allow(dead_code)]
pub(crate) fn dec(n: i64) -> Decimal {
    Decimal::from(n)
}
