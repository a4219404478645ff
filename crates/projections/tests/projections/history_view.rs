//! The history view answers: who changed what, when, in which role, before → after, why.

use scoreledger_domain::target::TargetSpec;
use scoreledger_domain::{Actor, Command, DataQuality, Period, Position, RevisionClass, Role};
use scoreledger_projections::{drain, history, position_before, HistoryFilter};
use scoreledger_store::Clock;
use scoreledger_testkit::{lead_officer, pair_test, performance_officer};

use crate::support::{define_measure, define_plan, record, run, value};

pair_test!(a_revision_shows_before_after_who_and_why, |db| {
    define_plan(&db).await;
    let stream = define_measure(&db, 10, "1.A3", "April - September 26% October - March 23%").await;
    let fy15 = Period::financial_year(2015);
    run(&db, &stream, record(fy15, "30.9%"), lead_officer(), None)
        .await
        .unwrap();
    run(
        &db,
        &stream,
        Command::ReviseValue {
            period: fy15,
            value: value("30.6%"),
            classification: RevisionClass::Correction,
            quality: DataQuality::default(),
        },
        performance_officer(),
        Some("outturn re-run after Liquid Logic validation"),
    )
    .await
    .unwrap();
    run(
        &db,
        &stream,
        Command::SetTarget {
            period: Period::financial_year(2016),
            target: TargetSpec::parse("23%").unwrap(),
        },
        Actor::new("ian.thomas", "Ian Thomas", Role::Performance),
        Some("target reset for the year"),
    )
    .await
    .unwrap();
    drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();

    let entries = history(
        &db.read,
        &HistoryFilter {
            measure_ref: Some("1.A3".into()),
            ..HistoryFilter::default()
        },
    )
    .await
    .unwrap();
    let changes: Vec<(String, Option<String>, Option<String>, String)> = entries
        .iter()
        .map(|e| {
            (
                e.what.clone(),
                e.before.clone(),
                e.after.clone(),
                e.actor_name.clone(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        vec![
            (
                "measure defined".into(),
                None,
                Some("Measure 1.A3".into()),
                "Simon Dennis".into()
            ),
            (
                "target".into(),
                None,
                Some("April - September 26% October - March 23%".into()),
                "Simon Dennis".into()
            ),
            (
                "value".into(),
                None,
                Some("30.9%".into()),
                "Mel Meggs".into()
            ),
            (
                "value".into(),
                Some("30.9%".into()),
                Some("30.6%".into()),
                "Simon Dennis".into()
            ),
            (
                "target".into(),
                Some("April - September 26% October - March 23%".into()),
                Some("23%".into()),
                "Ian Thomas".into()
            ),
        ]
    );
    let revision = &entries[3];
    assert_eq!(
        revision.reason.as_deref(),
        Some("outturn re-run after Liquid Logic validation")
    );
    assert_eq!(revision.classification.as_deref(), Some("correction"));
    assert_eq!(revision.actor_role, "performance");
    assert_eq!(revision.period.as_deref(), Some("2015/16"));

    let by_actor = history(
        &db.read,
        &HistoryFilter {
            actor: Some("mel meggs".into()),
            ..HistoryFilter::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(by_actor.len(), 1);
    assert_eq!(by_actor[0].after.as_deref(), Some("30.9%"));
});

pair_test!(
    history_filters_narrow_by_kind_period_revision_and_position,
    |db| {
        define_plan(&db).await;
        let stream = define_measure(&db, 10, "1.A3", "23%").await;
        let fy15 = Period::financial_year(2015);
        let q1 = Period::quarter(2016, 1);
        run(&db, &stream, record(fy15, "30.9%"), lead_officer(), None)
            .await
            .unwrap();
        run(&db, &stream, record(q1, "25%"), lead_officer(), None)
            .await
            .unwrap();
        let revised = run(
            &db,
            &stream,
            Command::ReviseValue {
                period: fy15,
                value: value("30.6%"),
                classification: RevisionClass::Correction,
                quality: DataQuality::default(),
            },
            performance_officer(),
            Some("outturn re-run"),
        )
        .await
        .unwrap();
        drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
        let afters = |entries: Vec<scoreledger_projections::HistoryEntry>| -> Vec<String> {
            entries.into_iter().filter_map(|e| e.after).collect()
        };

        let values = history(
            &db.read,
            &HistoryFilter {
                what: vec!["value".into()],
                ..HistoryFilter::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(afters(values), ["30.9%", "25%", "30.6%"]);

        let of_fy15 = history(
            &db.read,
            &HistoryFilter {
                period: Some("2015/16".into()),
                what: vec!["value".into(), "target".into()],
                ..HistoryFilter::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(afters(of_fy15), ["30.9%", "30.6%"]);

        let revisions = history(
            &db.read,
            &HistoryFilter {
                revisions_only: true,
                ..HistoryFilter::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(afters(revisions), ["30.6%"]);

        let before_the_revision = history(
            &db.read,
            &HistoryFilter {
                what: vec!["value".into()],
                through: Some(Position(revised.commit.position.0 - 1)),
                ..HistoryFilter::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(afters(before_the_revision), ["30.9%", "25%"]);

        let since_the_second_value = history(
            &db.read,
            &HistoryFilter {
                after: Some(Position(revised.commit.position.0 - 2)),
                ..HistoryFilter::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(afters(since_the_second_value), ["25%", "30.6%"]);
    }
);

pair_test!(
    the_log_as_at_a_moment_ends_before_the_first_commit_recorded_after_it,
    |db| {
        define_plan(&db).await;
        let stream = define_measure(&db, 10, "1.A3", "23%").await;
        let defined = db.store.head().await.unwrap();
        let note = |text: &str| Command::EditCommentary {
            period: Period::quarter(2016, 3),
            text: text.into(),
        };
        // A commit an hour on, then one whose clock was set back a day (a replica's skew):
        // the log as it stood half an hour on holds neither.
        let start = db.clock.now();
        db.clock.set(start + chrono::Duration::hours(1));
        run(
            &db,
            &stream,
            note("An hour on."),
            performance_officer(),
            None,
        )
        .await
        .unwrap();
        db.clock.set(start - chrono::Duration::days(1));
        run(
            &db,
            &stream,
            note("Stamped a day early."),
            performance_officer(),
            None,
        )
        .await
        .unwrap();
        drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
        let half_an_hour_on = start + chrono::Duration::minutes(30);
        assert_eq!(
            position_before(&db.read, half_an_hour_on).await.unwrap(),
            Some(defined)
        );
        assert_eq!(
            position_before(&db.read, start - chrono::Duration::days(30))
                .await
                .unwrap(),
            Some(Position(0))
        );
        assert_eq!(
            position_before(&db.read, start + chrono::Duration::days(1))
                .await
                .unwrap(),
            None
        );
    }
);
