//! "95 (revised; first published 112)": the figure first published is the one a report that
//! printed the value's period showed, never a figure no report printed.

use chrono::NaiveDate;
use scoreledger_domain::event::ReportKind;
use scoreledger_domain::{Command, DataQuality, Period, Position, ReportId, RevisionClass};
use scoreledger_projections::{drain, scorecard_as_at};
use scoreledger_testkit::pair::Pair;
use scoreledger_testkit::{pair_test, performance_officer, uuid};

use crate::support::{define_measure, define_plan, record, run, value};

async fn publish(db: &Pair, n: u128, period: Period) {
    let head = db.store.head().await.unwrap();
    let report_id = ReportId(uuid(n));
    run(
        db,
        &report_id.stream(),
        Command::PublishReport {
            report_id,
            plan_id: scoreledger_testkit::plan_id(crate::support::PLAN),
            kind: ReportKind::QuarterlyScorecard,
            period,
            cut_off: head,
            meeting: "Cabinet".into(),
            published_on: NaiveDate::from_ymd_opt(2016, 9, 12).unwrap(),
            rule_set_version: 1,
            sha256: "0".repeat(64),
            parts: Vec::new(),
        },
        performance_officer(),
        None,
    )
    .await
    .unwrap();
}

async fn revise(db: &Pair, stream: &scoreledger_domain::StreamId, period: Period, raw: &str) {
    run(
        db,
        stream,
        Command::ReviseValue {
            period,
            value: value(raw),
            classification: RevisionClass::LateData,
            quality: DataQuality::default(),
        },
        performance_officer(),
        Some("late data"),
    )
    .await
    .unwrap();
}

async fn first_published(db: &Pair, period: Period) -> Option<String> {
    drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
    let head = db.store.head().await.unwrap();
    let scorecard = scorecard_as_at(&db.read, Period::quarter(2016, 4), Position(head.0))
        .await
        .unwrap()
        .unwrap();
    scorecard.rows[0].values[&period].first_published.clone()
}

pair_test!(
    a_revised_value_no_report_printed_has_no_first_published_figure,
    |db| {
        define_plan(&db).await;
        let stream = define_measure(&db, 10, "1.A1", "50%").await;
        let q4 = Period::quarter(2016, 4);
        run(&db, &stream, record(q4, "10"), performance_officer(), None)
            .await
            .unwrap();
        // The Q1 report does not print Q4.
        publish(&db, 1, Period::quarter(2016, 1)).await;
        revise(&db, &stream, q4, "12").await;
        assert_eq!(first_published(&db, q4).await, None);
    }
);

pair_test!(
    a_revised_value_a_report_printed_keeps_the_figure_it_showed,
    |db| {
        define_plan(&db).await;
        let stream = define_measure(&db, 10, "1.A1", "50%").await;
        let q1 = Period::quarter(2016, 1);
        run(&db, &stream, record(q1, "10"), performance_officer(), None)
            .await
            .unwrap();
        publish(&db, 1, q1).await;
        revise(&db, &stream, q1, "12").await;
        revise(&db, &stream, q1, "13").await;
        assert_eq!(first_published(&db, q1).await.as_deref(), Some("10"));
    }
);
