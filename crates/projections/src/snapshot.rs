//! Every fact of the read models as at a position, in a comparable form. The property
//! tests compare this against a fresh replay: the as-at read model at P must equal a
//! replay of the first P commits.

use std::collections::BTreeMap;

use sqlx::SqlitePool;

use scoreledger_domain::Position;

use crate::scorecard::AS_AT;

/// All system-versioned facts as at a position, keyed by (measure, period[, kind]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// (measure, period) → (raw value, revision). Exactly one version per key is current
    /// at any position; a key with two versions is a broken read model and shows up here.
    pub values: BTreeMap<(String, String), Vec<(String, i64)>>,
    /// (measure, period) → raw target.
    pub targets: BTreeMap<(String, String), Vec<String>>,
    /// (measure, period, kind) → assessed.
    pub assessments: BTreeMap<(String, String, String), Vec<String>>,
    /// (measure, period) → note.
    pub notes: BTreeMap<(String, String), Vec<String>>,
    /// Number of history rows recorded at or before the position.
    pub history_rows: i64,
}

/// Reads the snapshot as at `position`, through the as-at predicate of every query.
pub async fn snapshot_as_at(
    pool: &SqlitePool,
    position: Position,
) -> Result<Snapshot, sqlx::Error> {
    snapshot(pool, AS_AT, position).await
}

/// Reads the current rows only (`recorded_to_position IS NULL`), as of the checkpoint.
pub async fn snapshot_current(pool: &SqlitePool) -> Result<Snapshot, sqlx::Error> {
    let position = crate::projector::read_checkpoint(pool).await?;
    // Both binds are consumed by a predicate that ignores them.
    snapshot(pool, CURRENT, position).await
}

const CURRENT: &str = "recorded_to_position IS NULL AND ? = ?";

async fn snapshot(
    pool: &SqlitePool,
    predicate: &str,
    position: Position,
) -> Result<Snapshot, sqlx::Error> {
    let at = position.0 as i64;
    let values = sqlx::query_as::<_, (String, String, String, i64)>(&format!(
        "SELECT measure_id, period, raw, revision FROM values_history WHERE {predicate}"
    ))
    .bind(at)
    .bind(at)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(m, p, raw, rev)| ((m, p), (raw, rev)))
    .fold(BTreeMap::new(), group);
    let targets = sqlx::query_as::<_, (String, String, String)>(&format!(
        "SELECT measure_id, period, raw FROM targets_history WHERE {predicate}"
    ))
    .bind(at)
    .bind(at)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(m, p, raw)| ((m, p), raw))
    .fold(BTreeMap::new(), group);
    let assessments = sqlx::query_as::<_, (String, String, String, String)>(&format!(
        "SELECT measure_id, period, kind, assessed FROM assessments_history WHERE {predicate}"
    ))
    .bind(at)
    .bind(at)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(m, p, k, a)| ((m, p, k), a))
    .fold(BTreeMap::new(), group);
    let notes = sqlx::query_as::<_, (String, String, String)>(&format!(
        "SELECT measure_id, period, text FROM notes_history WHERE {predicate}"
    ))
    .bind(at)
    .bind(at)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(m, p, t)| ((m, p), t))
    .fold(BTreeMap::new(), group);
    let history_rows = sqlx::query_scalar("SELECT COUNT(*) FROM history WHERE position <= ?")
        .bind(at)
        .fetch_one(pool)
        .await?;
    Ok(Snapshot {
        values,
        targets,
        assessments,
        notes,
        history_rows,
    })
}

fn group<K: Ord, V: Ord>(
    mut map: BTreeMap<K, Vec<V>>,
    (key, value): (K, V),
) -> BTreeMap<K, Vec<V>> {
    let versions = map.entry(key).or_default();
    versions.push(value);
    versions.sort();
    map
}
