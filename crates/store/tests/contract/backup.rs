//! Backups that lose nothing: taken while writers go on, every acknowledged write is in them;
//! they verify; restored, they give the same log (positions and hashes); a tampered or
//! truncated backup, and a log that is not empty, are refused; an interrupted restore onto
//! JetStream continues, and a stream that is not one is refused.
//! The JetStream tests need nats-server (see scripts/services.sh).

use std::path::Path;
use std::sync::{Arc, Mutex};

use scoreledger_domain::{DomainEvent, Period};
use scoreledger_store::backup::{
    backup_logical, backup_sqlite, republish, stage_sqlite, verify_source, BackupError,
    BackupSource, RestoreError, StoredCommit, StoredLog,
};
use scoreledger_store::{
    verify_log, Commit, EventStore, ExpectedVersion, Finding, NatsConfig, NatsStore, NewCommit,
    Position, SqliteStore,
};
use scoreledger_testkit::nats::{NatsRelease, TestNats};
use scoreledger_testkit::{fresh_sqlite, performance_officer};

use crate::support::stream;

/// A one-note commit to one of five streams, at whatever version it is.
fn note(i: usize) -> NewCommit {
    NewCommit::new(
        stream(&format!("s{}", i % 5)),
        ExpectedVersion::Any,
        performance_officer(),
        vec![DomainEvent::CommentaryEdited {
            period: Period::quarter(2016, 3),
            text: format!("note {i}"),
        }],
    )
}

async fn write(store: &dyn EventStore, n: usize) {
    for i in 0..n {
        store.append(note(i)).await.expect("appended");
    }
}

async fn whole_log(store: &dyn EventStore) -> Vec<Commit> {
    store.read_all(Position(0), 100_000).await.expect("read")
}

/// Runs SQL on an embedded database behind the store's back, triggers dropped.
async fn tamper(db: &Path, sql: &str) {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("the file opens");
    for statement in [
        "DROP TRIGGER commits_are_never_updated",
        "DROP TRIGGER commits_are_never_deleted",
        sql,
    ] {
        sqlx::query(statement)
            .execute(&pool)
            .await
            .expect("tampered");
    }
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sqlite_backup_under_write_load_holds_every_acknowledged_write_and_restores() {
    let db = fresh_sqlite().await;
    write(&db.store, 20).await;
    let acknowledged: Arc<Mutex<Vec<Commit>>> = Arc::default();
    let stop = Arc::new(tokio::sync::Notify::new());
    let writer = {
        let (store, acknowledged, stop) = (db.store.clone(), acknowledged.clone(), stop.clone());
        tokio::spawn(async move {
            let stopped = stop.notified();
            tokio::pin!(stopped);
            for i in 20.. {
                tokio::select! {
                    _ = &mut stopped => break,
                    appended = store.append(note(i)) => {
                        acknowledged.lock().unwrap().push(appended.expect("appended").commit);
                    }
                }
            }
        })
    };
    while acknowledged.lock().unwrap().len() < 100 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let before_backup = acknowledged.lock().unwrap().clone();
    let dest = db.dir.path().join("backup.db");
    let summary = backup_sqlite(&db.store, &dest, |_, _| {})
        .await
        .expect("the backup verifies");
    let after_backup = acknowledged.lock().unwrap().len();
    while acknowledged.lock().unwrap().len() < after_backup + 20 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    stop.notify_one();
    writer.await.unwrap();

    // Every write acknowledged before the backup began is in it, as acknowledged.
    let copy = SqliteStore::open_default(&dest).await.unwrap();
    let copied = whole_log(&copy).await;
    for commit in &before_backup {
        let position = commit.position.0 as usize;
        assert_eq!(
            copied.get(position - 1),
            Some(commit),
            "position {position}"
        );
    }
    assert!(summary.head >= before_backup.last().unwrap().position);
    assert_eq!(summary.commits, copied.len() as u64);
    assert_eq!(summary.head_hash, copied.last().map(|c| c.hash.clone()));
    assert!(verify_log(&copy, |_, _| {}).await.unwrap().verified());
    copy.pool().close().await;
    // The writers went on meanwhile, and the backup is the log as it was.
    assert!(db.store.head().await.unwrap() > summary.head);

    // Restored into a new file: the same log, verifying.
    let restored_path = db.dir.path().join("restored.db");
    let source = BackupSource::open(&dest).unwrap();
    let staged = stage_sqlite(&source, &restored_path, |_, _| {})
        .await
        .unwrap();
    let restored_summary = staged.put_in_place().await.unwrap();
    assert_eq!(restored_summary, summary);
    let restored = SqliteStore::open_default(&restored_path).await.unwrap();
    assert!(verify_log(&restored, |_, _| {}).await.unwrap().verified());
    assert_eq!(whole_log(&restored).await, copied);

    // A backup never overwrites, and a restore never appends.
    assert!(matches!(
        backup_sqlite(&db.store, &dest, |_, _| {}).await,
        Err(BackupError::Exists { .. })
    ));
    assert!(matches!(
        stage_sqlite(&source, &restored_path, |_, _| {}).await.err(),
        Some(RestoreError::NotEmpty { commits, .. }) if commits == summary.commits
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logical_backup_of_the_embedded_log_restores_at_the_same_positions() {
    let db = fresh_sqlite().await;
    write(&db.store, 40).await;
    let file = db.dir.path().join("log.jsonl");
    let summary = backup_logical(
        StoredLog::Sqlite(db.store.pool()),
        "sqlite:test",
        &file,
        |_, _| {},
    )
    .await
    .unwrap();
    assert_eq!((summary.commits, summary.head), (40, Position(40)));
    let restored_path = db.dir.path().join("restored.db");
    let source = BackupSource::open(&file).unwrap();
    assert!(matches!(source, BackupSource::Logical(..)));
    let staged = stage_sqlite(&source, &restored_path, |_, _| {})
        .await
        .unwrap();
    assert_eq!(staged.put_in_place().await.unwrap(), summary);
    let restored = SqliteStore::open_default(&restored_path).await.unwrap();
    assert_eq!(whole_log(&restored).await, whole_log(&db.store).await);
    // It goes on where the original would.
    restored.append(note(40)).await.unwrap();
    assert!(verify_log(&restored, |_, _| {}).await.unwrap().verified());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_or_truncated_backup_is_refused_and_nothing_is_restored() {
    let db = fresh_sqlite().await;
    write(&db.store, 10).await;
    let dest = db.dir.path().join("backup.db");
    backup_sqlite(&db.store, &dest, |_, _| {}).await.unwrap();

    // One byte of a commit's payload changed in a copy of the backup.
    let tampered = db.dir.path().join("tampered.db");
    std::fs::copy(&dest, &tampered).unwrap();
    tamper(
        &tampered,
        "UPDATE commits SET envelope = replace(envelope, '\"note 2\"', '\"note 3\"') WHERE position = 3",
    )
    .await;
    let target = db.dir.path().join("restored.db");
    let refused = stage_sqlite(&BackupSource::open(&tampered).unwrap(), &target, |_, _| {})
        .await
        .err();
    assert!(
        matches!(
            refused,
            Some(RestoreError::Unverified(Finding::Changed {
                position: Position(3),
                ..
            }))
        ),
        "{refused:?}"
    );
    assert!(!target.exists());
    assert!(!db.dir.path().join("restored.db.restoring").exists());

    // Nor into a database that holds no log at all.
    let other = db.dir.path().join("other.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=rwc", other.display()))
        .await
        .unwrap();
    sqlx::query("CREATE TABLE notes (text TEXT)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert!(matches!(
        stage_sqlite(&BackupSource::open(&dest).unwrap(), &other, |_, _| {})
            .await
            .err(),
        Some(RestoreError::NotALog { .. })
    ));

    // The same for a logical backup: a changed line, and a missing last line.
    let file = db.dir.path().join("log.jsonl");
    backup_logical(
        StoredLog::Sqlite(db.store.pool()),
        "sqlite:test",
        &file,
        |_, _| {},
    )
    .await
    .unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let changed = db.dir.path().join("changed.jsonl");
    std::fs::write(&changed, text.replacen("note 4", "note 5", 1)).unwrap();
    let refused = verify_source(&BackupSource::open(&changed).unwrap(), None, |_, _| {})
        .await
        .err();
    assert!(
        matches!(
            refused,
            Some(RestoreError::Unverified(Finding::Changed {
                position: Position(5),
                ..
            }))
        ),
        "{refused:?}"
    );
    let truncated = db.dir.path().join("truncated.jsonl");
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&truncated, lines[..lines.len() - 1].join("\n")).unwrap();
    let refused = stage_sqlite(&BackupSource::open(&truncated).unwrap(), &target, |_, _| {})
        .await
        .err();
    assert!(
        matches!(
            refused,
            Some(RestoreError::Truncated {
                head: Position(10),
                reached: Position(9)
            })
        ),
        "{refused:?}"
    );
    assert!(!target.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nats_backup_restores_into_a_fresh_stream_at_the_same_positions_and_hashes() {
    let server = TestNats::start(NatsRelease::Current);
    let store = server.store().await;
    write(&store, 30).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("log.jsonl");
    let summary = backup_logical(StoredLog::Nats(&store), &store.origin(), &file, |_, _| {})
        .await
        .unwrap();
    assert_eq!((summary.commits, summary.streams), (30, 5));

    let restored = server
        .store_with(NatsConfig {
            stream: "RESTORED".into(),
            prefix: "restored".into(),
            ..NatsConfig::new(server.url())
        })
        .await;
    let source = BackupSource::open(&file).unwrap();
    let check = verify_source(&source, Some(Position(7)), |_, _| {})
        .await
        .unwrap();
    assert_eq!(check.kept.as_ref().map(|c| c.position), Some(Position(7)));
    let republished = republish(&source, &check, &restored, |_, _| {})
        .await
        .unwrap();
    assert_eq!(republished.summary, summary);
    assert_eq!(republished.already_there, 0);
    assert_eq!(whole_log(&restored).await, whole_log(&store).await);
    assert!(verify_log(&restored, |_, _| {}).await.unwrap().verified());
    // It goes on where the original would.
    restored.append(note(30)).await.unwrap();

    // Never into a stream that holds more than the backup.
    assert!(matches!(
        republish(&source, &check, &restored, |_, _| {}).await,
        Err(RestoreError::NotThisRestore {
            position: Position(31),
            ..
        })
    ));

    // An embedded backup restores onto JetStream too.
    let db = fresh_sqlite().await;
    write(&db.store, 12).await;
    let dest = db.dir.path().join("backup.db");
    backup_sqlite(&db.store, &dest, |_, _| {}).await.unwrap();
    let from_sqlite = server
        .store_with(NatsConfig {
            stream: "FROM_SQLITE".into(),
            prefix: "fromsqlite".into(),
            ..NatsConfig::new(server.url())
        })
        .await;
    let source = BackupSource::open(&dest).unwrap();
    let check = verify_source(&source, None, |_, _| {}).await.unwrap();
    republish(&source, &check, &from_sqlite, |_, _| {})
        .await
        .unwrap();
    assert_eq!(whole_log(&from_sqlite).await, whole_log(&db.store).await);
}

/// A stream holding `stored` as a restore that was stopped after publishing them leaves it.
async fn interrupted_restore(server: &TestNats, target: &NatsStore, stored: &[StoredCommit]) {
    let context = async_nats::jetstream::new(async_nats::connect(server.url()).await.unwrap());
    for commit in stored {
        let stream = commit.decode().unwrap().stream;
        context
            .publish(target.subject(&stream), commit.envelope.clone().into())
            .await
            .unwrap()
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_nats_restore_continues_and_a_stream_it_did_not_write_is_refused() {
    for release in [NatsRelease::Machine, NatsRelease::Current] {
        let server = TestNats::start(release);
        let store = server.store().await;
        write(&store, 30).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("log.jsonl");
        let summary = backup_logical(StoredLog::Nats(&store), &store.origin(), &file, |_, _| {})
            .await
            .unwrap();
        let source = BackupSource::open(&file).unwrap();
        let check = verify_source(&source, None, |_, _| {}).await.unwrap();
        let stored = StoredLog::Nats(&store).read(Position(0), 30).await.unwrap();
        let target = |name: &str| {
            server.store_with(NatsConfig {
                stream: name.to_uppercase(),
                prefix: name.into(),
                ..NatsConfig::new(server.url())
            })
        };

        // Stopped after 12 commits: run again, it checks those and publishes the other 18.
        let resumed = target("resumed").await;
        interrupted_restore(&server, &resumed, &stored[..12]).await;
        let republished = republish(&source, &check, &resumed, |_, _| {})
            .await
            .unwrap();
        assert_eq!(republished.already_there, 12, "{release:?}");
        assert_eq!(republished.summary, summary, "{release:?}");
        // Every commit exactly once, at its position.
        assert_eq!(
            whole_log(&resumed).await,
            whole_log(&store).await,
            "{release:?}"
        );
        assert!(verify_log(&resumed, |_, _| {}).await.unwrap().verified());
        // Run once more, a finished restore publishes nothing.
        let again = republish(&source, &check, &resumed, |_, _| {})
            .await
            .unwrap();
        assert_eq!(again.already_there, 30);
        assert_eq!(resumed.head().await.unwrap(), Position(30));

        // A stream whose commit at position 5 is not the backup's: refused, naming it.
        let other = target("other").await;
        let mut changed = stored[4].clone();
        changed.envelope = changed.envelope.replacen("note 4", "note X", 1);
        assert_ne!(changed, stored[4]);
        interrupted_restore(&server, &other, &[&stored[..4], &[changed]].concat()).await;
        let refused = republish(&source, &check, &other, |_, _| {})
            .await
            .unwrap_err();
        assert!(
            matches!(
                refused,
                RestoreError::NotThisRestore {
                    position: Position(5),
                    ..
                }
            ),
            "{release:?}: {refused:?}"
        );
        let message = refused.to_string();
        assert!(
            message.contains("at position 5") && message.contains("new, empty stream"),
            "{message}"
        );
        assert_eq!(
            other.head().await.unwrap(),
            Position(5),
            "nothing published"
        );
    }
}
