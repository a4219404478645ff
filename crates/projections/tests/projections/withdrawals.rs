//! A measure withdrawn from a period on leaves the scorecards of that period and later, as at
//! any position after the withdrawal; scorecards as at before it, and of earlier periods, keep
//! it. A reinstatement brings it back from its own first period.

use scoreledger_domain::{Command, Period, Position};
use scoreledger_projections::{drain, history, scorecard_as_at, HistoryFilter};
use scoreledger_testkit::pair::Pair;
use scoreledger_testkit::{pair_test, performance_officer};

use crate::support::{define_measure, define_plan, run};

async fn measures_in(db: &Pair, period: Period, at: Position) -> Vec<String> {
    drain(&*db.store, &db.read, 100, |_| {}).await.unwrap();
    scorecard_as_at(&db.read, period, at)
        .await
        .unwrap()
        .unwrap()
        .rows
        .iter()
        .map(|row| row.definition.measure_ref.to_string())
        .collect()
}

pair_test!(
    a_withdrawn_measure_leaves_later_scorecards_and_a_reinstated_one_returns,
    |db| {
        define_plan(&db).await;
        define_measure(&db, 1, "1.A1", "10%").await;
        let dropped = define_measure(&db, 2, "1.A2", "10%").await;
        let (q2, q3, q4) = (
            Period::quarter(2016, 2),
            Period::quarter(2016, 3),
            Period::quarter(2016, 4),
        );
        let before = db.store.head().await.unwrap();
        let withdrawn = run(
            &db,
            &dropped,
            Command::WithdrawMeasure { from: q3 },
            performance_officer(),
            Some("dropped in the December refresh"),
        )
        .await
        .unwrap()
        .commit
        .position;
        let head = db.store.head().await.unwrap();
        assert_eq!(measures_in(&db, q2, head).await, ["1.A1", "1.A2"]);
        assert_eq!(measures_in(&db, q3, head).await, ["1.A1"]);
        assert_eq!(measures_in(&db, q4, head).await, ["1.A1"]);
        // As the log stood before the withdrawal (what a report published then was built at).
        assert_eq!(measures_in(&db, q3, before).await, ["1.A1", "1.A2"]);

        run(
            &db,
            &dropped,
            Command::ReinstateMeasure { from: q4 },
            performance_officer(),
            Some("back after the outturn review"),
        )
        .await
        .unwrap();
        let head = db.store.head().await.unwrap();
        assert_eq!(measures_in(&db, q3, head).await, ["1.A1"]);
        assert_eq!(measures_in(&db, q4, head).await, ["1.A1", "1.A2"]);
        assert_eq!(measures_in(&db, q4, withdrawn).await, ["1.A1"]);

        let rows = history(
            &db.read,
            &HistoryFilter {
                what: vec!["measure withdrawn".into(), "measure reinstated".into()],
                ..HistoryFilter::default()
            },
        )
        .await
        .unwrap();
        let told: Vec<(String, Option<String>, Option<String>)> = rows
            .iter()
            .map(|row| (row.what.clone(), row.after.clone(), row.reason.clone()))
            .collect();
        assert_eq!(
            told,
            [
                (
                    "measure withdrawn".to_owned(),
                    Some("withdrawn from Q3 Oct - Dec 2016".to_owned()),
                    Some("dropped in the December refresh".to_owned())
                ),
                (
                    "measure reinstated".to_owned(),
                    Some("applies again from Q4 Jan - Mar 2017".to_owned()),
                    Some("back after the outturn review".to_owned())
                ),
            ]
        );
    }
);
