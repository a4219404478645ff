//! The one write path on every backend pair: a retry returns its original commit, and the
//! plan's publications are read from the log, not from read models that may lag behind it.

use chrono::{Duration, NaiveDate};
use scoreledger_domain::event::ReportKind;
use scoreledger_domain::{
    Actor, Command, DataQuality, Period, PlanId, Polarity, Position, RecordedValue, Rejection,
    ReportId, Role, StreamId, TokenId,
};
use scoreledger_projections::checkpoint as read_checkpoint;
use scoreledger_service::{submit, submit_batch, Batch, StreamChange, Submission, SubmitError};
use scoreledger_store::{Appended, ExecuteError};
use scoreledger_testkit::pair::Pair;
use scoreledger_testkit::{
    define_plan_2016, lead_officer, measure_definition, measure_id, pair_test, performance_officer,
    plan_id, uuid,
};

async fn write(
    db: &Pair,
    actor: &Actor,
    stream: &StreamId,
    plan: Option<PlanId>,
    command: Command,
    reason: Option<&str>,
    key: Option<u128>,
) -> Result<Appended, SubmitError> {
    db.clock.advance(Duration::minutes(1));
    submit(
        &*db.store,
        Submission {
            actor,
            stream,
            plan_id: plan,
            commands: std::slice::from_ref(&command),
            reason: reason.map(str::to_owned),
            on_behalf_of: None,
            reported: None,
            commit_id: key.map(uuid),
            if_version: None,
        },
    )
    .await
}

/// A plan of 2016/17 with one measure; returns the plan and the measure's stream.
async fn plan_with_a_measure(db: &Pair) -> (PlanId, StreamId) {
    let plan = plan_id(1);
    let team = performance_officer();
    let define_plan = define_plan_2016(plan);
    write(db, &team, &plan.stream(), None, define_plan, None, None)
        .await
        .expect("the plan is defined");
    let measure = measure_id(1);
    let define = Command::DefineMeasure {
        measure_id: measure,
        definition: measure_definition(plan, "1.A3", Polarity::Low),
        target: None,
    };
    write(db, &team, &measure.stream(), Some(plan), define, None, None)
        .await
        .expect("the measure is defined");
    (plan, measure.stream())
}

fn note(text: &str) -> Command {
    Command::EditCommentary {
        period: Period::quarter(2016, 3),
        text: text.to_owned(),
    }
}

fn record(raw: &str) -> Command {
    Command::RecordValue {
        period: Period::quarter(2016, 3),
        value: RecordedValue::parse(raw).expect("a value"),
        quality: DataQuality::default(),
    }
}

pair_test!(
    a_retried_submission_returns_the_original_commit_instead_of_a_rejection,
    |db| {
        let (plan, stream) = plan_with_a_measure(&db).await;
        let officer = lead_officer();
        let first = write(
            &db,
            &officer,
            &stream,
            Some(plan),
            record("28.3%"),
            None,
            Some(42),
        )
        .await
        .expect("the value is recorded");
        let retry = write(
            &db,
            &officer,
            &stream,
            Some(plan),
            record("28.3%"),
            None,
            Some(42),
        )
        .await
        .expect("a retry is answered");
        assert!(retry.deduplicated);
        assert_eq!(retry.commit, first.commit);
        // The same command under a new key is judged on its merits: the value exists already.
        let err = write(
            &db,
            &officer,
            &stream,
            Some(plan),
            record("28.3%"),
            None,
            Some(43),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, SubmitError::Execute(ExecuteError::Rejected(_))),
            "{err:?}"
        );
        assert_eq!(db.store.head().await.unwrap(), Position(3));
    }
);

pair_test!(
    a_publication_the_read_models_have_not_seen_still_needs_a_reason_to_rewrite_a_note,
    |db| {
        let (plan, stream) = plan_with_a_measure(&db).await;
        let officer = lead_officer();
        write(
            &db,
            &officer,
            &stream,
            Some(plan),
            note("first"),
            None,
            None,
        )
        .await
        .expect("the note is written");
        let report_id = ReportId(uuid(7));
        let publish = Command::PublishReport {
            report_id,
            plan_id: plan,
            kind: ReportKind::QuarterlyScorecard,
            period: Period::quarter(2016, 3),
            cut_off: db.store.head().await.unwrap(),
            meeting: "Cabinet".into(),
            published_on: NaiveDate::from_ymd_opt(2017, 1, 13).unwrap(),
            rule_set_version: 1,
            sha256: "a".repeat(64),
            parts: Vec::new(),
        };
        write(
            &db,
            &performance_officer(),
            &report_id.stream(),
            None,
            publish,
            None,
            None,
        )
        .await
        .expect("the report is published");
        let projected = read_checkpoint(&db.read).await.unwrap();

        let err = write(
            &db,
            &officer,
            &stream,
            Some(plan),
            note("second"),
            None,
            None,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, SubmitError::Execute(ExecuteError::Rejected(_))),
            "a published period's note rewritten without a reason: {err:?}"
        );
        let reason = Some("the service corrected its figures");
        write(
            &db,
            &officer,
            &stream,
            Some(plan),
            note("second"),
            reason,
            None,
        )
        .await
        .expect("with a reason it lands");
        // Judged from the log: the writes did not wait for the read models to catch up.
        assert_eq!(read_checkpoint(&db.read).await.unwrap(), projected);
        assert!(projected < db.store.head().await.unwrap());
    }
);

/// Notes each of the 64 writers writes.
const WRITES_EACH: u64 = 8;

pair_test!(
    sixty_four_writers_judged_against_one_plan_all_land_without_a_conflict,
    |db| {
        let (plan, _) = plan_with_a_measure(&db).await;
        let team = performance_officer();
        let mut streams = Vec::new();
        for n in 0..64_u128 {
            let measure = measure_id(100 + n);
            let define = Command::DefineMeasure {
                measure_id: measure,
                definition: measure_definition(plan, &format!("1.A{}", 10 + n), Polarity::High),
                target: None,
            };
            write(
                &db,
                &team,
                &measure.stream(),
                Some(plan),
                define,
                None,
                None,
            )
            .await
            .expect("the measure is defined");
            streams.push(measure.stream());
        }
        let before = db.store.head().await.unwrap();
        // Each writer to a measure of its own, all at once, eight times: nothing they do
        // conflicts, so every one lands, however they race for the log's head.
        let writers = streams.iter().map(|stream| {
            let (db, team) = (&db, &team);
            async move {
                for k in 0..WRITES_EACH {
                    submit(
                        &*db.store,
                        Submission {
                            actor: team,
                            stream,
                            plan_id: Some(plan),
                            commands: &[note(&format!("note {k}"))],
                            reason: None,
                            on_behalf_of: None,
                            reported: None,
                            commit_id: None,
                            if_version: None,
                        },
                    )
                    .await?;
                }
                Ok::<_, SubmitError>(())
            }
        });
        for landed in futures::future::join_all(writers).await {
            landed.expect("every write lands");
        }
        assert_eq!(
            db.store.head().await.unwrap().0,
            before.0 + 64 * WRITES_EACH
        );
    }
);

fn measure_write(plan: PlanId, n: u128, reference: &str, key: u128) -> StreamChange {
    let measure = measure_id(n);
    StreamChange {
        stream: measure.stream(),
        commands: vec![
            Command::DefineMeasure {
                measure_id: measure,
                definition: measure_definition(plan, reference, Polarity::High),
                target: None,
            },
            record("61.0%"),
        ],
        commit_id: Some(uuid(key)),
        if_version: None,
        reason: None,
    }
}

pair_test!(
    a_batch_judges_each_write_as_the_ones_before_it_leave_the_log_and_lands_all_or_nothing,
    |db| {
        let plan = plan_id(1);
        let team = performance_officer();
        let define_plan = StreamChange {
            stream: plan.stream(),
            commands: vec![define_plan_2016(plan)],
            commit_id: Some(uuid(100)),
            if_version: None,
            reason: None,
        };
        let batch = |writes| Batch {
            actor: &team,
            plan_id: Some(plan),
            reason: None,
            on_behalf_of: None,
            reported: None,
            writes,
        };
        // The measures join the plan the batch defines first; one naming a priority the plan
        // does not have is refused, and so nothing lands.
        let refused = batch(vec![
            define_plan.clone(),
            measure_write(plan, 1, "1.A3", 101),
            measure_write(plan, 2, "9.Z1", 102),
        ]);
        let err = submit_batch(&*db.store, &refused).await.unwrap_err();
        let SubmitError::Refused(refusals) = &err else {
            panic!("a refusal, not {err:?}");
        };
        assert_eq!(refusals.0.iter().map(|r| r.index).collect::<Vec<_>>(), [2]);
        assert!(err.to_string().contains("nothing was appended"), "{err}");
        assert_eq!(db.store.head().await.unwrap(), Position(0));

        let good = batch(vec![
            define_plan,
            measure_write(plan, 1, "1.A3", 101),
            measure_write(plan, 2, "1.A4", 102),
        ]);
        let appended = submit_batch(&*db.store, &good)
            .await
            .expect("the batch lands");
        assert_eq!(appended.len(), 3);
        assert!(appended.iter().all(|a| !a.deduplicated));
        let head = db.store.head().await.unwrap();
        assert_eq!(head, Position(3));
        // Run again (an interrupted import, say), it appends nothing and answers the same.
        let again = submit_batch(&*db.store, &good).await.expect("a rerun");
        assert!(again.iter().all(|a| a.deduplicated));
        assert_eq!(
            again.iter().map(|a| a.commit.position).collect::<Vec<_>>(),
            appended
                .iter()
                .map(|a| a.commit.position)
                .collect::<Vec<_>>()
        );
        assert_eq!(db.store.head().await.unwrap(), head);
        // The read models never took part in the judging.
        assert_eq!(read_checkpoint(&db.read).await.unwrap(), Position(0));
    }
);

pair_test!(
    a_look_alike_of_someone_the_log_knows_is_refused_before_the_read_models_have_seen_them,
    |db| {
        let admin = Actor::new("admin", "Admin", Role::Admin);
        let issue = |n: u128, user_id: &str| {
            let token_id = TokenId(uuid(n));
            (
                token_id.stream(),
                Command::IssueToken {
                    token_id,
                    user_id: user_id.into(),
                    name: "Sam Newton".into(),
                    role: Role::Approver,
                    directorate: None,
                    secret_sha256: "ab".repeat(32),
                    expires_on: None,
                },
            )
        };
        let (stream, first) = issue(1, "sam.newton");
        write(&db, &admin, &stream, None, first, None, None)
            .await
            .expect("the first token is issued");
        let (stream, look_alike) = issue(2, "\u{0455}am.newton");
        let err = write(&db, &admin, &stream, None, look_alike, None, None)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                SubmitError::Execute(ExecuteError::Rejected(Rejection::LookAlikeUser { .. }))
            ),
            "{err:?}"
        );
        assert_eq!(read_checkpoint(&db.read).await.unwrap(), Position(0));
    }
);

/// Submits `command` to `stream` through `store`, as the performance team.
async fn write_through(
    store: &dyn scoreledger_store::EventStore,
    stream: &StreamId,
    plan: PlanId,
    command: Command,
    reason: Option<&str>,
) -> Result<Appended, SubmitError> {
    submit(
        store,
        Submission {
            actor: &performance_officer(),
            stream,
            plan_id: Some(plan),
            commands: std::slice::from_ref(&command),
            reason: reason.map(str::to_owned),
            on_behalf_of: None,
            reported: None,
            commit_id: None,
            if_version: None,
        },
    )
    .await
}

pair_test!(
    a_plan_another_process_locked_or_reopened_is_judged_as_it_is_now,
    |db| {
        // This process remembers the plan as it read it for its first write; another process
        // then locks and reopens the period. Neither a change slipping into the locked period
        // nor a refusal of one after the reopening may come from what it remembered.
        let (plan, stream) = plan_with_a_measure(&db).await;
        let officer = lead_officer();
        write(
            &db,
            &officer,
            &stream,
            Some(plan),
            note("first"),
            None,
            None,
        )
        .await
        .expect("the note is written");
        let other = db.another_process().await;
        let q3 = Period::quarter(2016, 3);
        write_through(
            &*other,
            &plan.stream(),
            plan,
            Command::LockPeriod { period: q3 },
            None,
        )
        .await
        .expect("the other process locks Q3");
        let head = db.store.head().await.unwrap();
        let err = write(
            &db,
            &officer,
            &stream,
            Some(plan),
            note("second"),
            None,
            None,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, SubmitError::Execute(ExecuteError::Rejected(_))),
            "a change to a period locked by another process: {err:?}"
        );
        assert_eq!(db.store.head().await.unwrap(), head, "nothing appended");
        write_through(
            &*other,
            &plan.stream(),
            plan,
            Command::ReopenPeriod { period: q3 },
            Some("a late correction from the service"),
        )
        .await
        .expect("the other process reopens Q3");
        write(
            &db,
            &officer,
            &stream,
            Some(plan),
            note("second"),
            None,
            None,
        )
        .await
        .expect("a change to the reopened period lands");
    }
);

fn revise(raw: &str) -> Command {
    Command::ReviseValue {
        period: Period::quarter(2016, 3),
        value: RecordedValue::parse(raw).expect("a value"),
        classification: scoreledger_domain::RevisionClass::Correction,
        quality: DataQuality::default(),
    }
}

pair_test!(
    a_measure_another_process_revised_is_judged_as_it_is_now,
    |db| {
        // This process remembers the measure as it wrote it; another process revises the
        // value. This process's own revision must record the other's figure as the one it
        // replaces, not the figure it remembered.
        let (plan, stream) = plan_with_a_measure(&db).await;
        let officer = lead_officer();
        write(
            &db,
            &officer,
            &stream,
            Some(plan),
            record("28.3%"),
            None,
            None,
        )
        .await
        .expect("the value is recorded");
        let other = db.another_process().await;
        write_through(
            &*other,
            &stream,
            plan,
            revise("30%"),
            Some("the service's figure"),
        )
        .await
        .expect("the other process revises it");
        let landed = write(
            &db,
            &officer,
            &stream,
            Some(plan),
            revise("31%"),
            Some("a later correction"),
            None,
        )
        .await
        .expect("this process's revision lands");
        match landed.commit.domain_events().unwrap().as_slice() {
            [scoreledger_domain::DomainEvent::ValueRevised { old, new, .. }] => {
                assert_eq!((old.raw.as_str(), new.raw.as_str()), ("30%", "31%"));
            }
            other => panic!("expected one revision, got {other:?}"),
        }
        // The other process revises again, to the figure this process then asks for: an
        // unchanged value, refused, however this process remembered it.
        write_through(&*other, &stream, plan, revise("32%"), Some("checked again"))
            .await
            .expect("the other process revises it again");
        let head = db.store.head().await.unwrap();
        let err = write(
            &db,
            &officer,
            &stream,
            Some(plan),
            revise("32%"),
            Some("a correction"),
            None,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, SubmitError::Execute(ExecuteError::Rejected(_))),
            "{err:?}"
        );
        assert_eq!(db.store.head().await.unwrap(), head, "nothing appended");
    }
);
