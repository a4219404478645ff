//! Maker–checker and definition changes in the read models: who signed off which revision of
//! a value, note approvals and amended definitions in the history view, and the definition
//! as at any position.

use std::collections::BTreeMap;

use scoreledger_domain::{
    Actor, Command, DataQuality, MeasureId, Period, Polarity, Position, RevisionClass, Role,
};
use scoreledger_projections::{drain, history, measure_as_at, HistoryFilter};
use scoreledger_testkit::{lead_officer, measure_id, pair_test, performance_officer};

use crate::support::{define_measure, define_plan, record, run, value};

/// A history row as (seq, what, before, after, why).
type Row<'a> = (
    i64,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

/// A priority as (number, title, [(letter, outcome title)]).
type PriorityRow<'a> = (u8, &'a str, Vec<(&'a str, &'a str)>);

fn approver() -> Actor {
    Actor::new("jo.checker", "Jo Checker", Role::Approver)
}

fn q2() -> Period {
    Period::quarter(2016, 2)
}

pair_test!(a_sign_off_belongs_to_the_revision_it_checked, |db| {
    define_plan(&db).await;
    let stream = define_measure(&db, 10, "1.A3", "23%").await;
    let id: MeasureId = measure_id(10);
    run(&db, &stream, record(q2(), "30.9%"), lead_officer(), None)
        .await
        .unwrap();
    let signed = run(
        &db,
        &stream,
        Command::SignOffValue { period: q2() },
        approver(),
        None,
    )
    .await
    .unwrap();
    let revised = run(
        &db,
        &stream,
        Command::ReviseValue {
            period: q2(),
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

    let signed_off_by = |view: scoreledger_projections::MeasureView| {
        view.values
            .iter()
            .map(|v| (v.value.raw.clone(), v.revision, v.signed_off_by.clone()))
            .collect::<Vec<_>>()
    };
    let before = measure_as_at(&db.read, id, Position(signed.commit.position.0 - 1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(signed_off_by(before), vec![("30.9%".into(), 0, None)]);
    let at_sign_off = measure_as_at(&db.read, id, signed.commit.position)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        signed_off_by(at_sign_off),
        vec![("30.9%".into(), 0, Some("Jo Checker".into()))]
    );
    let now = measure_as_at(&db.read, id, revised.commit.position)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        signed_off_by(now),
        vec![("30.6%".into(), 1, None)],
        "a revision is not signed off until someone signs it off"
    );

    let entries = history(
        &db.read,
        &HistoryFilter {
            what: vec!["sign-off".into()],
            ..HistoryFilter::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!(
        (
            entry.after.as_deref(),
            entry.actor_name.as_str(),
            entry.actor_role.as_str(),
            entry.period.as_deref(),
            entry.measure_ref.as_deref(),
            entry.event_type.as_str()
        ),
        (
            Some("30.9% (revision 0) signed off"),
            "Jo Checker",
            "approver",
            Some(q2().to_string().as_str()),
            Some("1.A3"),
            "ValueSignedOff"
        )
    );
});

pair_test!(
    a_note_approval_shows_the_note_approved_and_who_approved_it,
    |db| {
        define_plan(&db).await;
        let stream = define_measure(&db, 10, "1.A3", "23%").await;
        let note = "Figures validated by the CCG";
        run(
            &db,
            &stream,
            Command::EditCommentary {
                period: q2(),
                text: note.into(),
            },
            lead_officer(),
            None,
        )
        .await
        .unwrap();
        run(
            &db,
            &stream,
            Command::ApproveCommentary { period: q2() },
            approver(),
            None,
        )
        .await
        .unwrap();
        drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
        let entries = history(
            &db.read,
            &HistoryFilter {
                what: vec!["note approval".into()],
                ..HistoryFilter::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(
            (entries[0].after.as_deref(), entries[0].actor_id.as_str()),
            (Some(note), "jo.checker")
        );
    }
);

pair_test!(
    an_amendment_is_one_history_row_per_field_and_the_definition_is_versioned,
    |db| {
        define_plan(&db).await;
        let stream = define_measure(&db, 10, "1.A3", "23%").await;
        let id = measure_id(10);
        let changes: BTreeMap<String, String> = [
            ("lead_officer".to_owned(), "Jo Smith".to_owned()),
            ("polarity".to_owned(), "high".to_owned()),
        ]
        .into_iter()
        .collect();
        let amended = run(
            &db,
            &stream,
            Command::AmendMeasure { changes },
            performance_officer(),
            Some("Cabinet reassigned the measure"),
        )
        .await
        .unwrap();
        let retitled = run(
            &db,
            &stream,
            Command::AmendMeasure {
                changes: [("title".to_owned(), "Measure 1.A3, renamed".to_owned())]
                    .into_iter()
                    .collect(),
            },
            performance_officer(),
            Some("clearer wording"),
        )
        .await
        .unwrap();
        drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();

        let entries = history(
            &db.read,
            &HistoryFilter {
                measure_ref: Some("1.A3".into()),
                after: Some(Position(amended.commit.position.0 - 1)),
                ..HistoryFilter::default()
            },
        )
        .await
        .unwrap();
        let rows: Vec<Row> = entries
            .iter()
            .map(|e| {
                (
                    e.seq,
                    e.what.as_str(),
                    e.before.as_deref(),
                    e.after.as_deref(),
                    e.reason.as_deref(),
                )
            })
            .collect();
        let why = Some("Cabinet reassigned the measure");
        assert_eq!(
            rows,
            vec![
                (
                    0,
                    "definition: lead_officer",
                    Some("Mel Meggs"),
                    Some("Jo Smith"),
                    why
                ),
                (1, "definition: polarity", Some("low"), Some("high"), why),
                (
                    0,
                    "definition: title",
                    Some("Measure 1.A3"),
                    Some("Measure 1.A3, renamed"),
                    Some("clearer wording")
                ),
            ]
        );

        let definition_at = |position: Position| {
            let read = &db.read;
            async move {
                measure_as_at(read, id, position)
                    .await
                    .unwrap()
                    .unwrap()
                    .definition
            }
        };
        let original = definition_at(Position(amended.commit.position.0 - 1)).await;
        assert_eq!(
            (original.lead_officer.as_str(), original.polarity),
            ("Mel Meggs", Polarity::Low)
        );
        let first = definition_at(amended.commit.position).await;
        assert_eq!(
            (
                first.lead_officer.as_str(),
                first.polarity,
                first.title.as_str()
            ),
            ("Jo Smith", Polarity::High, "Measure 1.A3")
        );
        let second = definition_at(retitled.commit.position).await;
        assert_eq!(
            (second.lead_officer.as_str(), second.title.as_str()),
            ("Jo Smith", "Measure 1.A3, renamed"),
            "a later amendment keeps the earlier one's changes"
        );
        let scorecard = scoreledger_projections::scorecard_as_at(
            &db.read,
            Period::quarter(2016, 3),
            retitled.commit.position,
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(
            scorecard.rows[0].definition.title, "Measure 1.A3, renamed",
            "reports from now on show the amended definition"
        );
        let earlier = scoreledger_projections::scorecard_as_at(
            &db.read,
            Period::quarter(2016, 3),
            Position(amended.commit.position.0 - 1),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(earlier.rows[0].definition.title, "Measure 1.A3");
    }
);

pair_test!(
    plans_are_listed_with_their_priorities_and_outcomes_as_at_a_position,
    |db| {
        let plan = define_plan(&db).await;
        drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
        let head = db.store.head().await.unwrap();
        let plans = scoreledger_projections::plans_as_at(&db.read, head)
            .await
            .unwrap();
        assert_eq!(plans.len(), 1);
        let view = &plans[0];
        assert_eq!(
            (view.plan_id, view.name.as_str(), view.financial_year),
            (plan, "Corporate Plan 2016/17", Period::financial_year(2016))
        );
        let priorities: Vec<PriorityRow> = view
            .priorities
            .iter()
            .map(|p| {
                (
                    p.number,
                    p.title.as_str(),
                    p.outcomes
                        .iter()
                        .map(|o| (o.letter.as_str(), o.title.as_str()))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            priorities,
            vec![(
                1,
                "Every child making the best start in life",
                vec![("A", "Protected")]
            )]
        );
        assert!(
            scoreledger_projections::plans_as_at(&db.read, Position(0))
                .await
                .unwrap()
                .is_empty(),
            "no plan before the first commit"
        );
    }
);
