//! A batch keeps the facts it changes in memory and writes them set-based at its end (a fact
//! superseded within the batch is inserted already closed, one superseded from an earlier
//! batch is closed by one statement per table). Whatever the batch size, the read models come
//! out the same.

use scoreledger_domain::target::TargetSpec;
use scoreledger_domain::{
    Actor, Command, DataQuality, Direction, Period, RevisionClass, Role, Status,
};
use scoreledger_projections::{drain, table_checksums};
use scoreledger_testkit::{lead_officer, pair_test, performance_officer};

use crate::support::{define_measure, define_plan, record, run, value};

fn approver() -> Actor {
    Actor::new("jo.checker", "Jo Checker", Role::Approver)
}

pair_test!(
    projecting_in_batches_of_any_size_gives_the_same_read_models,
    |db| {
        define_plan(&db).await;
        let q1 = Period::quarter(2016, 1);
        let q2 = Period::quarter(2016, 2);
        let mut streams = Vec::new();
        for n in 0..3u128 {
            streams.push(define_measure(&db, 10 + n, &format!("1.A{}", n + 1), "20%").await);
        }
        // Every kind of versioned fact, each changed several times, with the reads a sign-off
        // and a note approval make of what the batch may have just written between them.
        let revise = |raw: &str| Command::ReviseValue {
            period: q1,
            value: value(raw),
            classification: RevisionClass::Correction,
            quality: DataQuality::default(),
        };
        let note = |period, text: &str| Command::EditCommentary {
            period,
            text: text.to_owned(),
        };
        let team = performance_officer;
        for stream in &streams {
            let steps: Vec<(Command, Actor, Option<&str>)> = vec![
                (record(q1, "21.0%"), lead_officer(), None),
                (note(q1, "first"), lead_officer(), None),
                (revise("21.5%"), lead_officer(), Some("re-run")),
                (Command::SignOffValue { period: q1 }, approver(), None),
                (note(q1, "second"), lead_officer(), None),
                (Command::ApproveCommentary { period: q1 }, approver(), None),
                (
                    Command::AssessStatus {
                        period: q1,
                        status: Status::OnTarget,
                    },
                    team(),
                    None,
                ),
                (
                    Command::AssessDirection {
                        period: q1,
                        direction: Direction::Improved,
                    },
                    team(),
                    None,
                ),
                (
                    Command::AssessStatus {
                        period: q1,
                        status: Status::OffTarget,
                    },
                    team(),
                    Some("second look"),
                ),
                (
                    Command::SetTarget {
                        period: Period::financial_year(2016),
                        target: TargetSpec::parse("25%").unwrap(),
                    },
                    team(),
                    Some("raised"),
                ),
                (revise("22.0%"), lead_officer(), Some("late returns")),
                (record(q2, "23.0%"), lead_officer(), None),
                (note(q1, "third"), lead_officer(), None),
                (Command::SignOffValue { period: q1 }, approver(), None),
            ];
            for (command, actor, reason) in steps {
                let described = format!("{command:?}");
                run(&db, stream, command, actor, reason)
                    .await
                    .unwrap_or_else(|err| panic!("{described}: {err}"));
            }
        }
        drain(&*db.store, &db.read, 1, |_| {}).await.unwrap();
        let one_at_a_time = table_checksums(&db.read).await.unwrap();
        for size in [2, 5, 1000] {
            let fresh = db.fresh_read_models().await;
            drain(&*db.store, &fresh, size, |_| {}).await.unwrap();
            assert_eq!(
                table_checksums(&fresh).await.unwrap(),
                one_at_a_time,
                "batches of {size}"
            );
        }
    }
);
