//! A projector halts on a gap rather than skip a commit.

use scoreledger_domain::Position;
use scoreledger_projections::projector::project_commits;
use scoreledger_projections::{checkpoint, drain, ProjectionError};
use scoreledger_store::EventStore;
use scoreledger_testkit::fresh_sqlite;

use crate::support::define_plan;

#[tokio::test]
async fn a_missing_position_halts_the_projector_and_moves_no_checkpoint() {
    let db = fresh_sqlite().await;
    define_plan(&db).await;
    let mut commits = db.store.read_all(Position(0), 10).await.unwrap();
    commits[0].position = Position(2);
    let err = project_commits(db.store.pool(), &commits)
        .await
        .unwrap_err();
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
    assert_eq!(checkpoint(db.store.pool()).await.unwrap(), Position(0));
}

#[tokio::test]
async fn replaying_an_already_projected_batch_changes_nothing() {
    let db = fresh_sqlite().await;
    define_plan(&db).await;
    let pool = db.store.pool();
    drain(&db.store, pool, 10, |_| {}).await.unwrap();
    let commits = db.store.read_all(Position(0), 10).await.unwrap();
    project_commits(pool, &commits).await.unwrap();
    let plans: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plans")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(plans, 1);
}
