//! A commit that cannot be read (a bug, a damaged disk) stops the read models before it, and
//! queries keep answering there; an admin sets it aside with a reason, and from then on every
//! projection passes over it and says so. Nothing is ever skipped silently.

use scoreledger_domain::{Actor, Command, Position, Role};
use scoreledger_projections::{
    catch_up_for_reading, checkpoint, drain, find_measure, history, rebuild, set_asides_through,
    stopped_by, table_checksums, HistoryFilter, ProjectionError,
};
use scoreledger_store::{set_aside_id, unreadable_at, ExecuteError};
use scoreledger_testkit::pair_test;
use scoreledger_testkit::write::run_command;

use crate::support::{define_measure, define_plan, request};

fn admin() -> Actor {
    Actor::new("ada.admin", "Ada Admin", Role::Admin)
}

pair_test!(
    an_unreadable_commit_stops_the_read_models_until_an_admin_sets_it_aside,
    |pair| {
        define_plan(&pair).await;
        let bad = pair.land_unreadable_commit().await;
        define_measure(&pair, 7, "1.A1", "10%").await;
        let head = pair.store.head().await.unwrap();
        let last_good = Position(bad.0 - 1);

        // Catching up stops before it, naming it and what to do; nothing after it is applied.
        let err = drain(&*pair.store, &pair.read, 100, |_| {})
            .await
            .unwrap_err();
        assert!(
            matches!(err, ProjectionError::Unreadable { position, .. } if position == bad),
            "{err:?}"
        );
        assert!(err.to_string().contains("set-aside"), "{err}");
        assert_eq!(checkpoint(&pair.read).await.unwrap(), last_good);
        assert!(find_measure(&pair.read, "1.A1", None)
            .await
            .unwrap()
            .is_none());
        // Queries answer at the last good position and learn why.
        let reach = catch_up_for_reading(&*pair.store, &pair.read, 100)
            .await
            .unwrap();
        assert_eq!(reach.at, last_good);
        assert_eq!(reach.stopped_by.map(|s| s.position), Some(bad));
        assert_eq!(
            stopped_by(&*pair.store, &pair.read)
                .await
                .unwrap()
                .map(|s| s.position),
            Some(bad)
        );

        // Only the commit the store cannot read may be set aside, and with a reason.
        assert_eq!(unreadable_at(&*pair.store, last_good).await.unwrap(), None);
        let unreadable = unreadable_at(&*pair.store, bad).await.unwrap();
        assert!(unreadable.is_some());
        let set_aside = |position| Command::SetAsideCommit {
            set_aside_id: set_aside_id(position),
            position,
        };
        let mut asking = request(admin(), Some("damaged disk; no backup holds it"));
        let refused = run_command(
            &*pair.store,
            &set_aside_id(last_good).stream(),
            &set_aside(last_good),
            &asking,
        )
        .await;
        assert!(
            matches!(refused, Err(ExecuteError::Rejected(_))),
            "{refused:?}"
        );
        asking.unreadable = unreadable;
        run_command(
            &*pair.store,
            &set_aside_id(bad).stream(),
            &set_aside(bad),
            &asking,
        )
        .await
        .unwrap();

        // Passed over, listed, and everything after it projected.
        let at = drain(&*pair.store, &pair.read, 100, |_| {}).await.unwrap();
        assert_eq!(at, Position(head.0 + 1));
        assert_eq!(stopped_by(&*pair.store, &pair.read).await.unwrap(), None);
        assert!(find_measure(&pair.read, "1.A1", None)
            .await
            .unwrap()
            .is_some());
        let listed = set_asides_through(&pair.read, at).await.unwrap();
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0].position, bad.0 as i64);
        assert_eq!(listed[0].set_aside_at, at.0 as i64);
        assert_eq!(listed[0].actor_id, "ada.admin");
        assert_eq!(listed[0].reason, "damaged disk; no backup holds it");
        assert!(set_asides_through(&pair.read, last_good)
            .await
            .unwrap()
            .is_empty());
        let rows = history(
            &pair.read,
            &HistoryFilter {
                what: vec!["commit set aside".into()],
                ..HistoryFilter::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert!(
            rows[0]
                .before
                .as_deref()
                .is_some_and(|b| b.contains(&format!("position {bad} cannot be read"))),
            "{rows:?}"
        );

        // A rebuild passes over it the same way.
        let before = table_checksums(&pair.read).await.unwrap();
        rebuild(&*pair.store, &pair.read, 2, |_| {}).await.unwrap();
        assert_eq!(table_checksums(&pair.read).await.unwrap(), before);
    }
);

pair_test!(
    a_running_projector_waits_at_an_unreadable_commit_and_carries_on_once_it_is_set_aside,
    |pair| {
        define_plan(&pair).await;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let store = pair.store.clone();
        let read = pair.read.clone();
        let projector = tokio::spawn(async move {
            scoreledger_projections::run_until_stopped(&*store, &read, async {
                let _ = stopped.await;
            })
            .await
        });
        let bad = pair.land_unreadable_commit().await;
        define_measure(&pair, 7, "1.A1", "10%").await;
        let reached = |target: Position| {
            let read = pair.read.clone();
            async move {
                for _ in 0..100 {
                    if checkpoint(&read).await.unwrap() >= target {
                        return true;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                false
            }
        };
        assert!(reached(Position(bad.0 - 1)).await);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(
            !projector.is_finished(),
            "the projector waits rather than ends"
        );
        assert_eq!(checkpoint(&pair.read).await.unwrap(), Position(bad.0 - 1));

        let mut asking = request(admin(), Some("damaged disk; no backup holds it"));
        asking.unreadable = unreadable_at(&*pair.store, bad).await.unwrap();
        run_command(
            &*pair.store,
            &set_aside_id(bad).stream(),
            &Command::SetAsideCommit {
                set_aside_id: set_aside_id(bad),
                position: bad,
            },
            &asking,
        )
        .await
        .unwrap();
        let head = pair.store.head().await.unwrap();
        assert!(reached(head).await, "carries on past the commit set aside");
        stop.send(()).unwrap();
        projector.await.unwrap().unwrap();
    }
);
