//! A projector halts on a gap rather than skip a commit.

use scoreledger_domain::Position;
use scoreledger_projections::projector::project_commits;
use scoreledger_projections::{checkpoint, drain, ProjectionError};
use scoreledger_testkit::pair_test;

use crate::support::define_plan;

pair_test!(
    a_missing_position_halts_the_projector_and_moves_no_checkpoint,
    |pair| {
        define_plan(&pair).await;
        let mut commits = pair.store.read_all(Position(0), 10).await.unwrap();
        commits[0].position = Position(2);
        let err = project_commits(&pair.read, &commits).await.unwrap_err();
        assert!(
            matches!(
                err,
                ProjectionError::Gap {
                    expected: Position(1),
                    found: Position(2)
                }
            ),
            "{err:?}"
        );
        assert_eq!(checkpoint(&pair.read).await.unwrap(), Position(0));
    }
);

pair_test!(
    replaying_an_already_projected_batch_changes_nothing,
    |pair| {
        define_plan(&pair).await;
        drain(&*pair.store, &pair.read, 10, |_| {}).await.unwrap();
        let commits = pair.store.read_all(Position(0), 10).await.unwrap();
        project_commits(&pair.read, &commits).await.unwrap();
        let plans: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plans")
            .fetch_one(pair.read.pool())
            .await
            .unwrap();
        assert_eq!(plans, 1);
    }
);

pair_test!(
    a_batch_applied_elsewhere_never_moves_the_checkpoint_back,
    |pair| {
        define_plan(&pair).await;
        crate::support::define_measure(&pair, 5, "1.A1", "10%").await;
        let commits = pair.store.read_all(Position(0), 10).await.unwrap();
        drain(&*pair.store, &pair.read, 10, |_| {}).await.unwrap();
        // A slower projector delivers the first commit again.
        project_commits(&pair.read, &commits[..1]).await.unwrap();
        assert_eq!(checkpoint(&pair.read).await.unwrap(), Position(2));
    }
);
